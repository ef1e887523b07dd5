/* Disable a submit button once clicked (the server also refuses a second filing). */
(function () {
  "use strict";
  document.querySelectorAll("[data-submit-once]").forEach(function (button) {
    var form = button.form;
    if (!form) { return; }
    form.addEventListener("submit", function () {
      window.setTimeout(function () { button.disabled = true; button.setAttribute("aria-disabled", "true"); }, 0);
    });
  });
}());
