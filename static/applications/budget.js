/* Live budget totals (progressive enhancement: the server recomputes and validates). */
(function () {
  "use strict";
  var form = document.querySelector("[data-budget-form]");
  if (!form) { return; }
  // Texts and locale come from the page (translated on the server): none is written here.
  var balanceNode = document.querySelector("[data-budget-balance]");
  var texts = balanceNode ? balanceNode.dataset : {};
  var locale = texts.locale || document.documentElement.lang || "fr";
  var pct = new Intl.NumberFormat(locale, { maximumFractionDigits: 2 });
  var amounts = window.PortalAmounts;

  // Cents of what the server would accept in this input (portal/amounts.py, mirrored by
  // static/portal/amounts.js); anything it would refuse counts for nothing.
  function centsOf(input) {
    var parsed = amounts.parse(input.value, amounts.optionsOf(input));
    return parsed.error ? 0 : amounts.cents(parsed.value);
  }

  function sum(selector) {
    var total = 0;
    form.querySelectorAll(selector).forEach(function (input) { total += centsOf(input); });
    return total;
  }

  // Natures the call makes eligible (empty: every nature) and what the shares are of.
  var eligibleKinds = (form.dataset.eligibleKinds || "").split(",").filter(Boolean);
  var onEligible = form.dataset.shareBase === "eligible";

  function isEligible(kind) {
    return eligibleKinds.length === 0 || eligibleKinds.indexOf(kind) !== -1;
  }

  function eligibleExpenses() {
    var total = 0;
    form.querySelectorAll("[data-budget='expense']").forEach(function (input) {
      var row = input.closest(".fr-grid-row");
      var kind = row && row.querySelector("[data-budget-kind]");
      if (isEligible(kind ? kind.value : "")) { total += centsOf(input); }
    });
    return total;
  }

  function markLines() {
    form.querySelectorAll("[data-budget-kind]").forEach(function (select) {
      var row = select.closest(".fr-grid-row");
      var mark = row && row.querySelector("[data-budget-eligible]");
      if (!mark) { return; }
      mark.textContent = "";
      if (!select.value) { return; }
      var badge = document.createElement("span");
      var ok = isEligible(select.value);
      badge.className = "fr-badge fr-badge--sm " + (ok ? "fr-badge--success" : "fr-badge--warning");
      badge.textContent = ok ? mark.dataset.msgEligible : mark.dataset.msgIneligible;
      mark.appendChild(badge);
    });
  }

  function selfFinancing() {
    var total = 0;
    form.querySelectorAll("[data-budget='income']").forEach(function (input) {
      var row = input.closest(".fr-grid-row");
      var source = row && row.querySelector("[data-budget-source]");
      if (source && source.value === "self_financing") { total += centsOf(input); }
    });
    return total;
  }

  function set(selector, text) {
    var node = document.querySelector(selector);
    if (node) { node.textContent = text; }
  }

  function update() {
    var expenses = sum("[data-budget='expense']");
    var eligible = eligibleExpenses();
    var base = onEligible ? eligible : expenses;
    var requested = sum("[data-budget='requested']");
    var income = sum("[data-budget='income']") + requested;
    set("[data-budget-total='expense']", amounts.formatCents(expenses));
    set("[data-budget-total='eligible']", amounts.formatCents(eligible));
    set("[data-budget-total='income']", amounts.formatCents(income));
    set("[data-budget-share='requested']", base ? pct.format(requested * 100 / base) + "\u00a0%" : "—");
    set("[data-budget-share='self']", base ? pct.format(selfFinancing() * 100 / base) + "\u00a0%" : "—");
    markLines();
    var balance = balanceNode;
    if (balance) {
      var gap = income - expenses;
      balance.innerHTML = "";
      var p = document.createElement("p");
      p.className = "fr-message " + (gap === 0 && expenses > 0 ? "fr-message--valid" : "fr-message--warning");
      p.textContent = gap === 0 && expenses > 0 ? (texts.msgBalanced || "")
        : (texts.msgGap || "{gap}").replace("{gap}", amounts.formatCents(gap));
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
  // Input kept with errors by the server: the totals of what is typed, not of the saved budget.
  if (form.querySelector("[aria-invalid='true']")) { update(); }
}());
