// Progress of a batch action: polls the JSON progress and moves the <progress> bar; when the
// batch is finished the page is reloaded once to show each dossier's result. Without this
// script the page shows the state it was loaded in (reloading it shows the next one).
(function () {
  "use strict";
  var box = document.querySelector("[data-batch-running]");
  if (!box || !window.fetch) { return; }
  var bar = box.querySelector("progress");
  var status = document.getElementById("batch-status");
  function say(template, data) {
    return template.replace("%(done)s", data.done).replace("%(total)s", data.total)
      .replace("%(ok)s", data.succeeded).replace("%(failed)s", data.failed);
  }
  function poll() {
    fetch(box.getAttribute("data-batch-progress-url"),
          {headers: {"Accept": "application/json"}, credentials: "same-origin"})
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (!data) { window.setTimeout(poll, 3000); return; }
        bar.max = data.total; bar.value = data.done;
        bar.textContent = data.done + " / " + data.total;
        if (data.finished) {
          status.textContent = say(status.dataset.finished, data);
          window.location.reload();
          return;
        }
        status.textContent = say(status.dataset.running, data);
        window.setTimeout(poll, 1000);
      })
      .catch(function () { window.setTimeout(poll, 5000); });
  }
  window.setTimeout(poll, 500);
})();
