// Progress of a job the worker runs (a dossier's PDF export, the matchmaker's global
// assignment): polls the JSON state at [data-progress-url] while the element is marked
// [data-progress-pending], writes it into [data-progress-status] (its data-template holds
// « %(state)s »), and reloads the page once the job is over to show its result. Without this
// script the page refreshes itself (<noscript> meta refresh) and offers an « Actualiser » link.
(function () {
  "use strict";
  var box = document.querySelector("[data-progress-pending]");
  if (!box || !window.fetch) { return; }
  var status = box.querySelector("[data-progress-status]");
  var delay = 500;
  function poll() {
    fetch(box.getAttribute("data-progress-url"),
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
