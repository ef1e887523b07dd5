/* The portal's amount parser, mirror of portal/amounts.py (parse_number, format_money):
 * the live scripts count exactly what the server accepts. tests/portal/test_amounts_js.py runs
 * one table of inputs through both. Exposed as window.PortalAmounts. */
(function () {
  "use strict";
  // Keep identical to SPACES and MINUS_SIGNS in portal/amounts.py.
  var SPACES = /[ \t\n\r\u00a0\u2007\u2009\u202f]/g;
  var MINUS_SIGNS = "-\u2212";
  var NUMBER = /^([0-9]*)(?:[.,]([0-9]*))?$/;

  /* parse(text, {units, decimalPlaces, maxDigits, allowNegative}) →
   *   {value: "12000.50"} (the canonical text, as portal.amounts.canonical),
   *   {value: null} when empty, or {error: "invalid" | "negative" | "decimal_places" | "max_digits"}. */
  function parse(text, options) {
    var opts = options || {};
    var units = opts.units === undefined ? ["€"] : opts.units;
    var places = opts.decimalPlaces === undefined ? 2 : opts.decimalPlaces;
    var maxDigits = opts.maxDigits === undefined ? null : opts.maxDigits;
    if (text === null || text === undefined) { return {value: null}; }
    var compact = String(text).replace(SPACES, "");
    if (compact === "") { return {value: null}; }
    for (var i = 0; i < units.length; i++) {
      var unit = units[i];
      if (compact.slice(-unit.length) === unit) { compact = compact.slice(0, -unit.length); break; }
      if (compact.slice(0, unit.length) === unit) { compact = compact.slice(unit.length); break; }
    }
    var negative = compact !== "" && MINUS_SIGNS.indexOf(compact.charAt(0)) !== -1;
    if (negative) { compact = compact.slice(1); }
    var match = NUMBER.exec(compact);
    if (!match || !(match[1] || match[2])) { return {error: "invalid"}; }
    var whole = match[1].replace(/^0+/, "") || "0";
    var decimals = match[2] || "";
    if (negative && !opts.allowNegative && (whole !== "0" || decimals.replace(/0/g, ""))) {
      return {error: "negative"};
    }
    if (places !== null && decimals.length > places) { return {error: "decimal_places"}; }
    if (maxDigits !== null) {
      var wholeDigits = whole === "0" ? 0 : whole.length;
      if (wholeDigits > maxDigits - (places || 0)) { return {error: "max_digits"}; }
    }
    var sign = negative && opts.allowNegative ? "-" : "";
    return {value: sign + whole + (decimals ? "." + decimals : "")};
  }

  /* The options of an input rendered by portal.amounts.AmountInput (its data- attributes). */
  function optionsOf(input) {
    var data = input.dataset;
    if (data.amount === undefined) { return {}; }
    return {
      units: data.amountUnits ? data.amountUnits.split("") : [],
      decimalPlaces: data.amountPlaces === "" ? null : Number(data.amountPlaces),
      maxDigits: data.amountDigits === "" || data.amountDigits === undefined ? null : Number(data.amountDigits),
      allowNegative: data.amountNegative === "1"
    };
  }

  /* Whole cents of a canonical value with at most 2 decimals ("12000.5" → 1200050). */
  function cents(value) {
    if (value === null || value === undefined) { return 0; }
    var negative = value.charAt(0) === "-";
    var parts = value.replace("-", "").split(".");
    var result = Number(parts[0]) * 100 + Number(((parts[1] || "") + "00").slice(0, 2));
    return negative ? -result : result;
  }

  /* As portal.formatting.format_money: 1200050 → "12 000,50 €" (no-break spaces). */
  function formatCents(total, withSymbol) {
    var sign = total < 0 ? "-" : "";
    var absolute = Math.abs(Math.round(total));
    var units = String(Math.floor(absolute / 100));
    var rest = String(absolute % 100);
    var groups = [];
    while (units) { groups.unshift(units.slice(-3)); units = units.slice(0, -3); }
    var text = sign + groups.join("\u00a0") + "," + (rest.length < 2 ? "0" + rest : rest);
    return withSymbol === false ? text : text + "\u00a0€";
  }

  window.PortalAmounts = {parse: parse, optionsOf: optionsOf, cents: cents, formatCents: formatCents};
}());
