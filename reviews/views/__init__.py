"""Pages of joint instruction and of committee sessions, one module per part of the work
(`dashboard`, `exports`, `instruction`, `assignments`, `conflicts`, `committee`, `meeting`,
`letters`;
shared helpers in `common`). Thin: parse with a form, call one service or selector, render.
Anything the user may not see answers 404."""
