// The file inputs in the page's language (directory/forms.py, templates/includes/file_entry.html).
// The browser's own input stays in the page, focusable and labelled by the field's label; this
// script shows the button and the chosen names in the page's language beside it and hides the
// browser's text. Without the script the browser's input shows as it is.
(function () {
  "use strict";
  function bind(entry) {
    if (entry.dataset.bound) { return; }
    entry.dataset.bound = "1";
    var input = entry.querySelector("input[type=file]");
    var face = entry.querySelector(".file-entry-face");
    var names = entry.querySelector(".file-entry-names");
    if (!input || !face || !names) { return; }
    entry.classList.add("file-entry-ready");
    face.hidden = false;
    face.addEventListener("click", function () { input.click(); });
    input.addEventListener("change", function () {
      var chosen = Array.prototype.map.call(input.files, function (file) { return file.name; });
      if (chosen.length === 0) {
        names.textContent = entry.dataset.empty;
      } else if (chosen.length === 1) {
        names.textContent = chosen[0];
      } else {
        names.textContent = entry.dataset.many.replace("{count}", String(chosen.length));
      }
    });
  }
  function bindAll() { document.querySelectorAll("[data-file-entry]").forEach(bind); }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", bindAll);
  } else {
    bindAll();
  }
})();
