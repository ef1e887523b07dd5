// Live progress of a committee session's decision letters: polls the JSON progress
// endpoint and updates the <progress> bar without reloading the page.
(function () {
  "use strict";
  var box = document.querySelector("[data-progress-url]");
  if (!box || !window.fetch) { return; }
  var bar = box.querySelector("progress");
  var done = box.querySelector("[data-letters-done]");
  var total = box.querySelector("[data-letters-total]");
  function poll() {
    fetch(box.getAttribute("data-progress-url"), {headers: {"Accept": "application/json"},
                                                  credentials: "same-origin"})
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (!data) { return; }
        bar.max = data.total; bar.value = data.done;
        bar.textContent = data.done + " / " + data.total;
        done.textContent = data.done; total.textContent = data.total;
        if (data.done < data.total) { window.setTimeout(poll, 1000); }
      })
      .catch(function () { window.setTimeout(poll, 5000); });
  }
  if (Number(bar.value) < Number(bar.max)) { poll(); }
})();
