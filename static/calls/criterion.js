/* The eligibility criterion form (templates/calls/manage/criterion_form.html): shows only what
   applies (the check's fields for a check; the year for the revenue; the value when the
   condition takes one; the operators of the chosen datum; the names it may take), and the
   sentence the applicant will read as the admin builds it. The sentence comes from the
   server (the same `describe` that the applicant's pages use), asked with the page's own
   "Prévisualiser" action; without this script that button shows it. */
(function () {
  "use strict";

  var form = document.getElementById("criterion-form");
  if (!form) { return; }
  var specs = JSON.parse(form.getAttribute("data-criterion-fields") || "{}");
  var field = form.querySelector("[name=field]");
  var operator = form.querySelector("[name=operator]");
  var value = form.querySelector("[name=value]");
  var check = document.getElementById("criterion-check");
  var parameterBox = document.getElementById("criterion-parameter");
  var valueBox = document.getElementById("criterion-value");
  var sentence = document.getElementById("criterion-sentence");
  var failure = document.getElementById("criterion-failure");
  var placeholder = sentence ? sentence.textContent : "";

  function kind() {
    var chosen = form.querySelector("[name=kind]:checked");
    return chosen ? chosen.value : "check";
  }

  function update() {
    var isCheck = kind() !== "declaration";
    if (check) { check.hidden = !isCheck; }
    var spec = specs[field && field.value] || null;
    if (operator) {
      Array.prototype.forEach.call(operator.options, function (option) {
        var allowed = !option.value || !spec || spec.operators.indexOf(option.value) !== -1;
        option.hidden = !allowed;
        option.disabled = !allowed;
      });
      if (operator.selectedOptions.length && operator.selectedOptions[0].disabled) {
        operator.value = "";
      }
    }
    if (parameterBox) { parameterBox.hidden = !(spec && spec.parameter); }
    var noValue = spec && operator && spec.no_value.indexOf(operator.value) !== -1;
    if (valueBox) { valueBox.hidden = Boolean(noValue); }
    if (value) {
      if (spec && spec.list) { value.setAttribute("list", spec.list); }
      else { value.removeAttribute("list"); }
    }
  }

  var timer = null;
  var asked = 0;

  function preview() {
    var number = ++asked;
    var data = new FormData(form);
    data.set("action", "preview");
    fetch(window.location.pathname, {
      method: "POST", body: data, credentials: "same-origin",
      headers: {"Accept": "application/json"}
    }).then(function (response) {
      return response.ok ? response.json() : null;
    }).then(function (answer) {
      if (!answer || number !== asked || !sentence) { return; }
      var errors = Object.keys(answer.errors || {}).map(function (name) {
        return answer.errors[name].join(" ");
      });
      if (answer.sentence) {
        sentence.textContent = answer.sentence;
        failure.textContent = answer.failure || "—";
      } else {
        sentence.textContent = errors.length ? errors.join(" ") : placeholder;
        failure.textContent = "—";
      }
    }).catch(function () { /* the button still shows the preview */ });
  }

  function later() {
    window.clearTimeout(timer);
    timer = window.setTimeout(preview, 350);
  }

  form.addEventListener("change", function () { update(); later(); });
  form.addEventListener("input", later);
  update();
}());
