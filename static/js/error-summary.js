// Move the keyboard and screen-reader focus to the form's error summary when a page opens
// with one (the GOV.UK error summary): the user hears what is wrong and can follow its links.
document.addEventListener("DOMContentLoaded", function () {
  var summary = document.querySelector(".error-summary");
  if (summary) {
    summary.focus();
  }
});
