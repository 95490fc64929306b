// Print views: a [data-print] button opens the browser's print dialog (a static file: strict CSP).
document.addEventListener("click", function (event) {
  if (event.target.closest("[data-print]")) {
    window.print();
  }
});
