/* Counts the characters of every text area with a length limit (the form's max_length, set
   as maxlength) and shows « 123 / 5 000 caractères » under it, in a polite live region so a
   screen reader hears the count when typing pauses, not on every key. Loaded on every page
   by base.html; no inline script (the CSP refuses them). */
(function () {
  "use strict";

  // the word, translated by the page (base.html); French when the attribute is missing
  var script = document.currentScript;
  var UNIT = (script && script.getAttribute("data-unit")) || "caractères";
  var DELAY = 600;  // ms of calm before the live region is updated for screen readers

  function grouped(n) {
    // French grouping with a no-break space, as Django's number_format prints it
    return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, "\u00a0");
  }

  function count(value) {
    // as the browser's maxlength counts (a line break is one); the server counts the same
    return value.length;
  }

  function text(used, limit) {
    return grouped(used) + " / " + grouped(limit) + " " + UNIT;
  }

  document.querySelectorAll("textarea[maxlength]").forEach(function (area, index) {
    var limit = parseInt(area.getAttribute("maxlength"), 10);
    if (!(limit > 0)) { return; }
    var hint = document.createElement("p");
    hint.className = "fr-hint-text portal-textcount";
    hint.id = (area.id || "textarea-" + index) + "-count";
    // The visible count follows every key; the live copy is updated after a pause.
    var visible = document.createElement("span");
    visible.setAttribute("aria-hidden", "true");
    var live = document.createElement("span");
    live.className = "fr-sr-only";
    live.setAttribute("aria-live", "polite");
    hint.appendChild(visible);
    hint.appendChild(live);
    area.insertAdjacentElement("afterend", hint);
    var described = area.getAttribute("aria-describedby");
    area.setAttribute("aria-describedby", (described ? described + " " : "") + hint.id);

    var timer = null;
    function update(announce) {
      var used = count(area.value);
      visible.textContent = text(used, limit);
      hint.classList.toggle("fr-error-text", used > limit);
      if (announce) {
        clearTimeout(timer);
        timer = setTimeout(function () { live.textContent = text(count(area.value), limit); },
                           DELAY);
      }
    }
    area.addEventListener("input", function () { update(true); });
    update(false);
  });
}());
