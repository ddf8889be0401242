// Kiosk ticket page: back to the kiosk's start after a visible countdown, which the
// citizen can stop with "Stay on this page" (WCAG 2.2.1, no <meta refresh>). A file,
// not an inline script, for the Content-Security-Policy. Without JavaScript the
// countdown stays hidden and the page waits for "Done".
(function () {
  "use strict";
  const box = document.querySelector("[data-kiosk-reset]");
  if (!box) return;
  const text = box.querySelector("[data-kiosk-countdown]");
  const stayed = document.querySelector("[data-kiosk-stayed]");
  let left = parseInt(box.dataset.seconds, 10) || 20;

  function show() {
    text.textContent = left === 1
      ? box.dataset.one
      : box.dataset.other.replace("{seconds}", String(left));
  }

  const timer = setInterval(function () {
    left -= 1;
    if (left <= 0) {
      clearInterval(timer);
      window.location.assign(box.dataset.url);
      return;
    }
    show();
  }, 1000);

  box.querySelector("[data-kiosk-stay]").addEventListener("click", function () {
    clearInterval(timer);
    box.hidden = true;
    if (stayed) {
      stayed.hidden = false;
      stayed.setAttribute("tabindex", "-1");
      stayed.focus();
    }
  });

  show();
  box.hidden = false;
})();
