/* Fills a URL identifier from a name as it is typed ("Pays de la Loire" → "pays-de-la-loire"),
   as the server derives it when the field is left empty (django.utils.text.slugify), until
   the person edits the identifier by hand. Markup: <input data-slug-source="id_slug">. */
(function () {
  "use strict";

  function slugify(text) {
    return text.normalize("NFKD").replace(/[\u0300-\u036f]/g, "")
      .toLowerCase().replace(/[^a-z0-9\s-]/g, "").trim()
      .replace(/[-\s]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 60).replace(/-+$/, "");
  }

  document.querySelectorAll("[data-slug-source]").forEach(function (source) {
    var target = document.getElementById(source.getAttribute("data-slug-source"));
    if (!target) { return; }
    // An identifier already there (an existing contract, a value kept after an error) is the
    // person's own: never overwritten.
    var touched = target.value !== "" && target.value !== slugify(source.value);
    target.addEventListener("input", function () { touched = target.value !== ""; });
    source.addEventListener("input", function () {
      if (!touched) { target.value = slugify(source.value); }
    });
  });
}());
