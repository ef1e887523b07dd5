/* « Ajouter une ligne » in a Django formset without a round trip. Markup (see
 * templates/applications/step_budget.html): a container [data-formset=<prefix>] with the
 * lines, a <template data-formset-empty=<prefix>> holding the formset's empty_form (with
 * __prefix__, and __num__ for the line's number), and a submit button
 * [data-formset-add=<prefix>] — without this script that button posts the form, the server
 * saves the draft and shows one more line. An element [data-formset-status] (aria-live) says
 * that the line was added; the focus goes to its first field. */
(function () {
  "use strict";
  document.querySelectorAll("[data-formset-add]").forEach(function (button) {
    var prefix = button.dataset.formsetAdd;
    var form = button.form;
    var list = document.querySelector("[data-formset='" + prefix + "']");
    var template = document.querySelector("template[data-formset-empty='" + prefix + "']");
    var total = form && form.querySelector("input[name='" + prefix + "-TOTAL_FORMS']");
    var max = form && form.querySelector("input[name='" + prefix + "-MAX_NUM_FORMS']");
    if (!list || !template || !total) { return; }
    button.addEventListener("click", function (event) {
      var index = Number(total.value);
      if (max && index >= Number(max.value)) { return; }  // the server explains the limit
      event.preventDefault();
      var html = template.innerHTML.replace(/__prefix__/g, String(index))
        .replace(/__num__/g, String(index + 1));
      var holder = document.createElement("div");
      holder.innerHTML = html;
      var added = [];
      while (holder.firstChild) {
        if (holder.firstChild.nodeType === 1) { added.push(holder.firstChild); }
        list.appendChild(holder.firstChild);
      }
      total.value = String(index + 1);
      var first = added.length && added[0].querySelector("input:not([type=hidden]), select, textarea");
      if (first) { first.focus(); }
      var status = form.querySelector("[data-formset-status]");
      if (status) { status.textContent = status.dataset.msgAdded || ""; }
    });
  });
}());
