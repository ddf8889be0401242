// Counter console: a key presses the button that carries it in data-key (the keys are
// each clerk's own, rendered by the server; with shortcuts off no element carries one),
// unless the clerk is typing in a field. Buttons stay the real controls (they work
// without this). A key on a list (transfer) moves the focus to it, so the clerk chooses.
// While a no-show waits for confirmation, the single keys do nothing and Escape keeps
// the ticket: the confirmation is pressed deliberately (Enter on its focused button).
(function () {
  "use strict";
  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    const target = event.target;
    if (target && (target.tagName === "INPUT" || target.tagName === "SELECT" || target.tagName === "TEXTAREA")) return;
    if (document.querySelector("[data-confirm]")) {
      const keep = document.querySelector("[data-confirm-cancel]");
      if (event.key === "Escape" && keep) {
        event.preventDefault();
        keep.click();
      }
      return;
    }
    if (event.key.length !== 1) return;
    const control = document.querySelector('[data-console] [data-key="' + event.key.toLowerCase() + '"]');
    if (!control || control.disabled) return;
    event.preventDefault();
    if (control.tagName === "SELECT") control.focus();
    else control.click();
  });
})();
