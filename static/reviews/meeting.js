// The live committee meeting. Every screen polls the session's small JSON state; when its
// version changes, the live part (rendered by the server for this user: a recused member gets
// nothing of the dossier) replaces the one shown and the change is announced to screen
// readers. Without this script the page shows the state it was loaded in and a link reloads
// it. On the chair's decision form, the total of the funders' shares is shown as typed, with
// what each funder's envelope would have left (parsed as the server parses: PortalAmounts).
(function () {
  "use strict";
  var live = document.getElementById("meeting-live");
  if (!live || !window.fetch) { return; }
  var follow = document.querySelector("[data-meeting-follow]");
  if (follow) { follow.hidden = false; }
  var announce = document.querySelector("[data-meeting-announce]");
  var url = live.getAttribute("data-meeting-state-url");
  var version = live.getAttribute("data-meeting-version");
  var delay = 2000;

  function currentTitle() {
    var title = live.querySelector("h1, h2");
    return title ? title.textContent.trim() : "";
  }

  function poll() {
    var sep = url.indexOf("?") === -1 ? "?" : "&";
    fetch(url + sep + "v=" + encodeURIComponent(version),
          {headers: {"Accept": "application/json"}, credentials: "same-origin", cache: "no-store"})
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (data && String(data.version) !== String(version)) {
          var before = currentTitle();
          if (data.html !== undefined) { live.innerHTML = data.html; }
          version = String(data.version);
          live.setAttribute("data-meeting-version", version);
          var after = currentTitle();
          if (announce && after && after !== before) {
            announce.textContent = announce.getAttribute("data-template").replace("%(title)s", after);
          }
        }
        window.setTimeout(poll, data ? delay : delay * 3);
      })
      .catch(function () { window.setTimeout(poll, delay * 3); });
  }
  window.setTimeout(poll, delay);

  // The chair's running total of the shares against each funder's envelope.
  var form = document.querySelector("[data-meeting-split]");
  var amounts = window.PortalAmounts;
  if (!form || !amounts) { return; }
  var totalBox = form.querySelector("[data-split-total]");
  var list = form.querySelector("[data-split-envelopes]");
  function shareInputs() {
    return Array.prototype.filter.call(form.querySelectorAll("input"), function (input) {
      return /(^|-)share_[a-z]+$/.test(input.name);
    });
  }
  function update() {
    var total = 0;
    var byFunder = {};
    shareInputs().forEach(function (input) {
      var parsed = amounts.parse(input.value, amounts.optionsOf(input));
      var cents = parsed.error ? 0 : amounts.cents(parsed.value);
      byFunder[input.name.replace(/^.*share_/, "")] = cents;
      total += cents;
    });
    if (totalBox) {
      totalBox.textContent = totalBox.getAttribute("data-template").replace("%(total)s", amounts.formatCents(total));
    }
    if (!list) { return; }
    Array.prototype.forEach.call(list.querySelectorAll("[data-funder]"), function (item) {
      var left = Number(item.getAttribute("data-left-cents")) - (byFunder[item.getAttribute("data-funder")] || 0);
      var state = item.querySelector("[data-split-state]");
      if (left < 0) {
        state.textContent = list.getAttribute("data-over").replace("%(amount)s", amounts.formatCents(-left));
        item.classList.add("fr-error-text");
      } else {
        state.textContent = list.getAttribute("data-left").replace("%(amount)s", amounts.formatCents(left));
        item.classList.remove("fr-error-text");
      }
    });
  }
  form.addEventListener("input", update);
  update();
})();
