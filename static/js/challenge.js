// Solves the challenge of core/challenge.py in the browser: finds n such that
// SHA-256("<prefix>:<n>") starts with the given number of zero bits, then tells the
// citizen they can continue. Without JavaScript (or WebCrypto) the form sends "wait",
// which the server accepts after a few seconds.
(function () {
  "use strict";
  var box = document.querySelector("[data-challenge-prefix]");
  if (!box || !window.crypto || !window.crypto.subtle || !window.TextEncoder) return;
  var prefix = box.getAttribute("data-challenge-prefix");
  var bits = parseInt(box.getAttribute("data-challenge-bits"), 10);
  var solution = box.querySelector("[data-challenge-solution]");
  var status = box.querySelector("[data-challenge-status]");
  var encoder = new TextEncoder();

  function zeroBits(buffer) {
    var bytes = new Uint8Array(buffer);
    var count = 0;
    for (var i = 0; i < bytes.length; i++) {
      if (bytes[i] === 0) { count += 8; continue; }
      for (var mask = 0x80; mask && !(bytes[i] & mask); mask >>= 1) count++;
      break;
    }
    return count;
  }

  function attempt(n) {
    var batch = [];
    for (var k = 0; k < 256; k++) {
      batch.push(window.crypto.subtle.digest("SHA-256", encoder.encode(prefix + ":" + (n + k))));
    }
    return Promise.all(batch).then(function (digests) {
      for (var k = 0; k < digests.length; k++) {
        if (zeroBits(digests[k]) >= bits) return n + k;
      }
      return attempt(n + batch.length);
    });
  }

  attempt(0).then(function (found) {
    solution.value = String(found);
    status.textContent = box.getAttribute("data-challenge-done");
  });
})();
