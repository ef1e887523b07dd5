"""Mentoring rows are edited through the pilot pages (tenant-scoped); no admin registration."""
