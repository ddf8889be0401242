// Display board: polls the feed every second, chimes and speaks each new call in
// Bahasa Indonesia. Built to run for days: bounded memory (a fixed-size set of seen
// calls), retries with backoff when the server restarts, and a daily page reload.
(function () {
  "use strict";
  const root = document.querySelector("[data-board]");
  if (!root) return;
  const feedUrl = root.dataset.feed;
  const latestNumber = root.querySelector("[data-latest-number]");
  const latestCounter = root.querySelector("[data-latest-counter]");
  const history = root.querySelector("[data-history]");
  const offline = root.querySelector("[data-offline]");
  const clock = root.querySelector("[data-clock]");
  const seen = [];           // ids of calls already announced, newest last
  const SEEN_LIMIT = 64;     // bounded: the feed never returns more than a few
  let first = true;
  let delay = 1000;
  let audio = null;

  root.querySelector("[data-sound-on]").addEventListener("click", function (event) {
    audio = audio || new (window.AudioContext || window.webkitAudioContext)();
    event.target.hidden = true;
    chime();
  });

  function chime() {
    if (!audio) return;
    [660, 880].forEach(function (frequency, index) {
      const oscillator = audio.createOscillator();
      const gain = audio.createGain();
      const start = audio.currentTime + index * 0.35;
      oscillator.frequency.value = frequency;
      gain.gain.setValueAtTime(0.25, start);
      gain.gain.exponentialRampToValueAtTime(0.001, start + 0.6);
      oscillator.connect(gain).connect(audio.destination);
      oscillator.start(start);
      oscillator.stop(start + 0.6);
    });
  }

  function speak(call) {
    if (!("speechSynthesis" in window)) return;
    const [letter, digits] = call.number.split("-");
    const spoken = letter + " " + digits.split("").join(" ");
    const text = root.dataset.sayNumber + " " + spoken + ", " + root.dataset.sayTo + " " + call.counter;
    const utterance = new SpeechSynthesisUtterance(text);
    utterance.lang = root.dataset.lang;
    utterance.rate = 0.9;
    window.speechSynthesis.speak(utterance);
  }

  function render(calls) {
    const latest = calls[0];
    latestNumber.textContent = latest ? latest.number : "—";
    latestCounter.textContent = latest ? latest.counter : "";
    history.replaceChildren.apply(history, calls.slice(1).map(function (call) {
      const item = document.createElement("li");
      const number = document.createElement("span");
      const counter = document.createElement("span");
      number.className = "n"; number.textContent = call.number;
      counter.className = "c"; counter.textContent = call.counter;
      item.append(number, counter);
      return item;
    }));
  }

  function announce(calls) {
    const fresh = calls.filter(function (call) { return seen.indexOf(call.id) === -1; }).reverse();
    fresh.forEach(function (call) {
      seen.push(call.id);
      if (!first) {
        root.classList.remove("flash"); void root.offsetWidth; root.classList.add("flash");
        chime(); speak(call);
      }
    });
    while (seen.length > SEEN_LIMIT) seen.shift();
    first = false;
  }

  function poll() {
    fetch(feedUrl, { cache: "no-store", headers: { Accept: "application/json" } })
      .then(function (response) { if (!response.ok) throw new Error(response.status); return response.json(); })
      .then(function (data) {
        offline.hidden = true;
        delay = 1000;
        render(data.calls);
        announce(data.calls);
      })
      .catch(function () {
        offline.hidden = false;
        delay = Math.min(delay * 2, 10000);
      })
      .finally(function () { setTimeout(poll, delay); });
  }

  function tick() {
    // The office's time, whatever zone the TV itself is set to.
    clock.textContent = new Date().toLocaleTimeString("id-ID", {
      hour: "2-digit", minute: "2-digit", timeZone: root.dataset.timezone,
    });
  }

  tick(); setInterval(tick, 10000);
  poll();
  // A fresh page once a day keeps a board that runs for weeks as lean as on day one.
  setTimeout(function () { window.location.reload(); }, 24 * 60 * 60 * 1000);
})();
