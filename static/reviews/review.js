// Progressive enhancement of the scoring form: the weighted total as the officer types
// (same formula as reviews/scoring.py: 20 × Σ(weight × score / scale) / Σ weight, for the
// criteria scored so far) and autosave of the draft (fetch POST with the CSRF header).
// The server recomputes and validates everything; this is only a preview.
(function () {
  "use strict";
  var form = document.getElementById("review-form");
  if (!form) { return; }
  var totalEl = document.getElementById("review-total");
  var statusEl = document.getElementById("review-status");
  var versionEl = form.querySelector("input[name=version]");
  var csrf = form.querySelector("input[name=csrfmiddlewaretoken]").value;
  var timer = null;
  var inflight = null;    // the autosave request under way, if any
  var submitting = false;

  function recompute() {
    var num = 0, weights = 0;
    form.querySelectorAll(".review-score").forEach(function (input) {
      var value = input.value.trim();
      if (value === "") { return; }
      var score = Number(value), weight = Number(input.dataset.weight), scale = Number(input.dataset.scale);
      if (!Number.isInteger(score) || score < 0 || score > scale) { return; }
      num += weight * score / scale;
      weights += weight;
    });
    totalEl.textContent = weights ? (Math.round(2000 * num / weights) / 100).toFixed(2).replace(".", ",") : "—";
  }

  function autosave() {
    if (submitting) { return; }
    var data = new FormData(form);
    data.set("action", "draft");
    inflight = fetch(form.dataset.autosaveUrl, {
      method: "POST", body: data, credentials: "same-origin",
      headers: {"X-CSRFToken": csrf, "Accept": "application/json"}
    }).then(function (response) {
      return response.json().then(function (body) { return {status: response.status, body: body}; });
    }).then(function (result) {
      if (result.body.ok) {
        versionEl.value = result.body.version;
        if (result.body.total !== null) { totalEl.textContent = result.body.total; }
        statusEl.textContent = "Brouillon enregistré à " + result.body.saved_at + ".";
      } else {
        statusEl.textContent = result.body.errors.join(" ");
      }
    }).catch(function () {
      statusEl.textContent = "Enregistrement automatique impossible pour l'instant (réseau).";
    }).then(function () { inflight = null; });
  }

  // A submission carries the version of the last save: no autosave starts once the officer
  // submits, and one under way is waited for (its new version is the one to send), else the
  // server would see two saves of the same version and refuse the second as stale (409).
  form.addEventListener("submit", function (event) {
    window.clearTimeout(timer);
    submitting = true;
    if (inflight) {
      event.preventDefault();
      var submitter = event.submitter;
      inflight.then(function () {
        if (submitter) { form.requestSubmit(submitter); } else { form.requestSubmit(); }
      });
    }
  });

  form.addEventListener("input", function (event) {
    if (event.target.classList.contains("review-score")) { recompute(); }
    if (submitting) { return; }
    window.clearTimeout(timer);
    timer = window.setTimeout(autosave, 1500);
  });
  recompute();
})();
