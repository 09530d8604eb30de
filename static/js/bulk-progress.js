// The bulk issue page's progress bar: ask the server every two seconds until the file is done,
// then reload to show each row's result. Without JavaScript, reloading the page does the same.
(function () {
  "use strict";
  var card = document.querySelector("[data-progress-url]");
  if (!card || card.dataset.finished === "1") return;
  var bar = document.getElementById("progress-bar");
  function set(name, value) {
    var node = card.querySelector('[data-testid="' + name + '"]');
    if (node) node.textContent = value;
  }
  function poll() {
    fetch(card.dataset.progressUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.json(); })
      .then(function (progress) {
        bar.max = progress.total_rows;
        bar.value = progress.rows_done;
        set("rows-done", progress.rows_done);
        set("issued", progress.issued);
        set("rejected", progress.rejected);
        var status = document.querySelector('[data-testid="bulk-status"]');
        if (status) status.textContent = progress.status_display;
        if (progress.finished) { window.location.reload(); } else { window.setTimeout(poll, 2000); }
      })
      .catch(function () { window.setTimeout(poll, 5000); });
  }
  window.setTimeout(poll, 1000);
})();
