/* Live budget totals (progressive enhancement: the server recomputes and validates). */
(function () {
  "use strict";
  var form = document.querySelector("[data-budget-form]");
  if (!form) { return; }
  // Texts and locale come from the page (translated on the server): none is written here.
  var balanceNode = document.querySelector("[data-budget-balance]");
  var texts = balanceNode ? balanceNode.dataset : {};
  var locale = texts.locale || document.documentElement.lang || "fr";
  var fmt = new Intl.NumberFormat(locale, { style: "currency", currency: "EUR" });
  var pct = new Intl.NumberFormat(locale, { maximumFractionDigits: 2 });

  function parse(value) {
    var text = (value || "").replace(/[\s\u00a0\u202f€]/g, "").replace(",", ".");
    var number = parseFloat(text);
    return isFinite(number) && number >= 0 ? number : 0;
  }

  function sum(selector) {
    var total = 0;
    form.querySelectorAll(selector).forEach(function (input) { total += parse(input.value); });
    return Math.round(total * 100) / 100;
  }

  function selfFinancing() {
    var total = 0;
    form.querySelectorAll("[data-budget='income']").forEach(function (input) {
      var row = input.closest(".fr-grid-row");
      var source = row && row.querySelector("[data-budget-source]");
      if (source && source.value === "self_financing") { total += parse(input.value); }
    });
    return total;
  }

  function set(selector, text) {
    var node = document.querySelector(selector);
    if (node) { node.textContent = text; }
  }

  function update() {
    var expenses = sum("[data-budget='expense']");
    var requested = sum("[data-budget='requested']");
    var income = Math.round((sum("[data-budget='income']") + requested) * 100) / 100;
    set("[data-budget-total='expense']", fmt.format(expenses));
    set("[data-budget-total='income']", fmt.format(income));
    set("[data-budget-share='requested']", expenses ? pct.format(requested * 100 / expenses) + "\u00a0%" : "—");
    set("[data-budget-share='self']", expenses ? pct.format(selfFinancing() * 100 / expenses) + "\u00a0%" : "—");
    var balance = balanceNode;
    if (balance) {
      var gap = Math.round((income - expenses) * 100) / 100;
      balance.innerHTML = "";
      var p = document.createElement("p");
      p.className = "fr-message " + (gap === 0 && expenses > 0 ? "fr-message--valid" : "fr-message--warning");
      p.textContent = gap === 0 && expenses > 0 ? (texts.msgBalanced || "")
        : (texts.msgGap || "{gap}").replace("{gap}", fmt.format(gap));
      balance.appendChild(p);
    }
  }

  function staleReasons() {
    // The reasons shown next to the fields were computed by the server for the saved budget;
    // once edited they may be out of date until the next save.
    form.querySelectorAll(".applications-field-reason").forEach(function (node) { node.hidden = true; });
  }

  form.addEventListener("input", staleReasons);
  form.addEventListener("input", update);
  form.addEventListener("change", update);
}());
