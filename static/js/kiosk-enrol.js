// Kiosk enrolment: the link from the admin carries the device token in its fragment,
// which browsers never send to the server. Copy it into the form and drop it from the
// address bar; without JavaScript the administrator types the token instead.
(function () {
  "use strict";
  const form = document.querySelector("[data-kiosk-enrol]");
  const token = window.location.hash.slice(1);
  if (form && token) {
    form.querySelector("input[name=token]").value = decodeURIComponent(token);
    window.history.replaceState(null, "", window.location.pathname);
  }
})();
