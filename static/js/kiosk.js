// Kiosk: scan the booking's QR code with the tablet's camera where the browser can
// (BarcodeDetector); typing the code always works. Idle screens return to the start.
(function () {
  "use strict";
  const scanner = document.querySelector("[data-scanner]");
  const input = document.querySelector("[data-testid=kiosk-code]");
  if (scanner && input && "BarcodeDetector" in window && navigator.mediaDevices) {
    scanner.hidden = false;
    const video = scanner.querySelector("[data-scanner-video]");
    scanner.querySelector("[data-scanner-start]").addEventListener("click", async function () {
      const detector = new window.BarcodeDetector({ formats: ["qr_code"] });
      const stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } });
      video.srcObject = stream;
      await video.play();
      const look = async function () {
        const codes = await detector.detect(video).catch(function () { return []; });
        if (codes.length) {
          stream.getTracks().forEach(function (track) { track.stop(); });
          input.value = codes[0].rawValue;
          input.form.submit();
          return;
        }
        requestAnimationFrame(look);
      };
      look();
    });
  }
  let idle = setTimeout(function () { window.location.reload(); }, 90000);
  document.addEventListener("input", function () {
    clearTimeout(idle);
    idle = setTimeout(function () { window.location.reload(); }, 90000);
  });
})();
