// The dashboard's folds (filters, exports, actions on the checked rows) are closed in the
// page so that a phone shows the results first; on a wide screen they open at once. Without
// this script they stay closed and open with a click, Enter or Space (native <details>).
(function () {
  "use strict";
  if (!window.matchMedia || !window.matchMedia("(min-width: 62em)").matches) { return; }
  document.querySelectorAll("details[data-open-wide]").forEach(function (fold) { fold.open = true; });
})();

// Dashboard row selection: "check the whole page" and the count of checked rows (the
// checkboxes belong to the selection form through their form= attribute). Without this
// script every checkbox still works on its own.
(function () {
  "use strict";
  var all = document.querySelector("[data-select-all]");
  var rows = Array.prototype.slice.call(document.querySelectorAll("[data-select-row]"));
  var count = document.getElementById("selection-count");
  if (!rows.length) { return; }
  function update() {
    var n = rows.filter(function (box) { return box.checked; }).length;
    if (count) {
      count.textContent = n === 0 ? count.dataset.none : n === 1 ? count.dataset.one
        : count.dataset.many.replace("%(n)s", String(n));
    }
    if (all) {
      all.checked = n === rows.length;
      all.indeterminate = n > 0 && n < rows.length;
    }
  }
  if (all) {
    all.addEventListener("change", function () {
      rows.forEach(function (box) { box.checked = all.checked; });
      update();
    });
  }
  rows.forEach(function (box) { box.addEventListener("change", update); });
  update();
})();
