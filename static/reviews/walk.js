// Previous / next dossier of the list the officer came from, with the keyboard:
// Alt + Shift + → (next) and Alt + Shift + ← (previous). The links stay the way to do it
// without a keyboard shortcut; the shortcut is ignored while typing in a field.
(function () {
  "use strict";
  var next = document.querySelector("a[rel=next][data-walk]");
  var previous = document.querySelector("a[rel=prev][data-walk]");
  if (!next && !previous) { return; }
  function typing(target) {
    return target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName));
  }
  document.addEventListener("keydown", function (event) {
    if (!event.altKey || !event.shiftKey || event.ctrlKey || event.metaKey || typing(event.target)) {
      return;
    }
    var link = event.key === "ArrowRight" ? next : event.key === "ArrowLeft" ? previous : null;
    if (link) {
      event.preventDefault();
      window.location.assign(link.href);
    }
  });
})();
