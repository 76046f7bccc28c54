// One request per comparison. Editing a field then pressing Compare fires "change" (the
// field loses focus) and then "submit" with the same values; the server ran the whole
// population simulation twice. The form queues requests (hx-sync "this:queue last"), and
// here a request whose parameters equal the last one sent (or the page as served) is not
// sent again, so the queued submit after a change is dropped.
(function () {
  "use strict";
  var lastSent = null;

  function key(formData) {
    return new URLSearchParams(formData).toString();
  }

  function remember() {
    var form = document.getElementById("pk-form");
    if (form) {
      lastSent = key(new FormData(form));
    }
  }

  document.addEventListener("DOMContentLoaded", remember);
  document.addEventListener("htmx:configRequest", function (event) {
    var form = event.detail.elt;
    if (!form || form.id !== "pk-form") {
      return;
    }
    var current = key(event.detail.formData);
    if (current === lastSent) {
      event.preventDefault();
      return;
    }
    lastSent = current;
  });
})();
