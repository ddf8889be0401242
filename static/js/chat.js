// The "Ask Giliran" panel (templates/assistant/chat.html): htmx loads it, sends the
// messages and polls; this opens and closes it, keeps the focus in the input and shows
// the newest turn. Without JavaScript the launcher is a plain link to the chat page.
(function () {
  "use strict";

  function launcher() {
    return document.querySelector("[data-chat-open]");
  }

  function input() {
    return document.getElementById("chat-text");
  }

  function showLatest() {
    var log = document.getElementById("chat-scroll");
    if (log) {
      log.scrollTop = log.scrollHeight;
    }
  }

  document.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail.target;
    if (!target) {
      return;
    }
    if (target.id === "chat-panel") {
      var open = launcher();
      if (open) {
        open.setAttribute("aria-expanded", "true");
        open.hidden = true;
      }
      showLatest();
      if (input()) {
        input().focus();
      }
    } else if (target.id === "chat-log") {
      showLatest();
    }
  });

  document.addEventListener("htmx:afterRequest", function (event) {
    var form = event.detail.elt;
    if (form && form.matches && form.matches("[data-chat-form]") && event.detail.successful) {
      var field = input();
      if (field) {
        if (!document.querySelector("#chat-error:not(:empty)")) {
          field.value = "";
        }
        field.focus();
      }
    }
  });

  document.addEventListener("click", function (event) {
    var close = event.target.closest && event.target.closest("[data-chat-close]");
    if (!close) {
      return;
    }
    var panel = document.getElementById("chat-panel");
    if (panel) {
      panel.innerHTML = ""; // and with it the polling
    }
    var open = launcher();
    if (open) {
      open.hidden = false;
      open.setAttribute("aria-expanded", "false");
      open.focus();
    }
  });
})();
