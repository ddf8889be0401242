// Print buttons (data-print): a file rather than an onclick attribute, which the
// Content-Security-Policy forbids. Without JavaScript the browser's own print works.
document.addEventListener("click", function (event) {
  "use strict";
  if (event.target instanceof Element && event.target.closest("[data-print]")) {
    window.print();
  }
});
