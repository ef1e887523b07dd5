// Progress of a dossier's PDF export: polls its JSON state and says it; once the worker is
// done the page is reloaded once to offer the download. Without this script the page
// refreshes itself (<noscript> meta refresh) and offers an « Actualiser » link.
(function () {
  "use strict";
  var box = document.querySelector("[data-export-pending]");
  if (!box || !window.fetch) { return; }
  var status = document.getElementById("export-status");
  var delay = 500;
  function poll() {
    fetch(box.getAttribute("data-export-progress-url"),
          {headers: {"Accept": "application/json"}, credentials: "same-origin"})
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (!data) { window.setTimeout(poll, 3000); return; }
        if (data.finished) { window.location.reload(); return; }
        if (status) {
          status.textContent = status.getAttribute("data-template").replace("%(state)s", data.label);
        }
        delay = Math.min(delay * 2, 4000);
        window.setTimeout(poll, delay);
      })
      .catch(function () { window.setTimeout(poll, 5000); });
  }
  window.setTimeout(poll, delay);
})();
