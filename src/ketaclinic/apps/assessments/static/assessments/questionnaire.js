// Progressive enhancement for questionnaires; every form works without it.
// 1. Skip logic: a question asked only after a given answer is hidden (and set to
//    "not asked") until that answer is chosen. The server applies the same rules.
// 2. Crisis resources: shown at once when a safety question is answered positively.
(function () {
  "use strict";

  function update(form) {
    form.querySelectorAll("fieldset[data-asked-if]").forEach(function (fieldset) {
      var name = fieldset.getAttribute("data-asked-if");
      var wanted = fieldset.getAttribute("data-asked-if-value");
      var chosen = form.querySelector('input[name="' + name + '"]:checked');
      var parent = form.querySelector('input[name="' + name + '"]');
      var parentShown = parent && !parent.closest("fieldset").hidden;
      var asked = Boolean(chosen && parentShown && chosen.value === wanted);
      fieldset.hidden = !asked;
      if (!asked) {
        var skip = fieldset.querySelector('input[value=""]');
        if (skip) { skip.checked = true; }
      }
    });
    var crisis = document.getElementById("crisis");
    if (!crisis) { return; }
    form.querySelectorAll("fieldset[data-safety-min]").forEach(function (fieldset) {
      var chosen = fieldset.querySelector("input:checked");
      if (!chosen || chosen.value === "" || fieldset.hidden) { return; }
      var value = Number(chosen.value);
      var low = Number(fieldset.getAttribute("data-safety-min"));
      var high = Number(fieldset.getAttribute("data-safety-max"));
      if (value >= low && value <= high) {
        crisis.hidden = false;
        var inline = fieldset.querySelector("[data-crisis]");
        if (inline) { inline.hidden = false; }
      }
    });
  }

  document.querySelectorAll("form[data-questionnaire]").forEach(function (form) {
    form.addEventListener("change", function () { update(form); });
    update(form);
  });
})();
