/* Idle logout without losing work (docs/foundation.md, "Sessions").
 *
 * Before the idle logout, warn and offer "Stay signed in" (a POST that extends the session).
 * The server is asked how long is left (a GET that neither extends nor ends it), so other
 * tabs' activity counts. After a re-login, a form that was posted after the session ended is
 * filled in again from the draft the server kept for this user (never from browser storage).
 * No inline script or style: the page's CSP allows scripts from this origin only.
 */
(function () {
  "use strict";
  var body = document.body;
  var idleSeconds = Number(body.dataset.idleSeconds || 0);
  var sessionUrl = body.dataset.sessionUrl;
  var notice = document.getElementById("idle-notice");
  var noticeText = document.getElementById("idle-notice-text");
  var stay = document.getElementById("idle-stay");
  if (!idleSeconds || !sessionUrl || !notice) {
    return;
  }
  var warnSeconds = Math.min(120, Math.floor(idleSeconds / 2));
  var deadline = Date.now() + idleSeconds * 1000;
  var timer = null;
  var ticker = null;

  function csrfToken() {
    var input = document.querySelector('input[name="csrfmiddlewaretoken"]');
    return input ? input.value : "";
  }

  function asJson(response) {
    if (!response.ok || response.redirected) {
      return null;
    }
    return response.json();
  }

  function schedule() {
    clearTimeout(timer);
    var wait = deadline - Date.now() - warnSeconds * 1000;
    timer = setTimeout(check, Math.max(0, wait));
  }

  function check() {
    fetch(sessionUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(asJson)
      .then(function (data) {
        if (!data || !data.signed_in) {
          signedOut();
          return;
        }
        deadline = Date.now() + data.seconds_left * 1000;
        if (data.seconds_left > warnSeconds) {
          hide();
          schedule();
        } else {
          warn();
        }
      })
      .catch(warn);
  }

  function secondsLeft() {
    return Math.max(0, Math.round((deadline - Date.now()) / 1000));
  }

  function render() {
    var left = secondsLeft();
    if (left <= 0) {
      signedOut();
      return;
    }
    var minutes = Math.floor(left / 60);
    var seconds = String(left % 60).padStart(2, "0");
    noticeText.textContent =
      "You will be signed out in " + minutes + ":" + seconds +
      " for inactivity. What you have typed stays on this page.";
  }

  function warn() {
    notice.hidden = false;
    stay.hidden = false;
    render();
    clearInterval(ticker);
    ticker = setInterval(render, 1000);
  }

  function hide() {
    clearInterval(ticker);
    notice.hidden = true;
  }

  function signedOut() {
    clearInterval(ticker);
    clearTimeout(timer);
    notice.hidden = false;
    stay.hidden = true;
    noticeText.textContent =
      "You have been signed out for inactivity. Nothing you typed is lost: submit the form, " +
      "log in again, and it will be filled back in for you to check and submit.";
  }

  stay.addEventListener("click", function () {
    fetch(sessionUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: { Accept: "application/json", "X-CSRFToken": csrfToken() },
    })
      .then(asJson)
      .then(function (data) {
        if (!data || !data.signed_in) {
          signedOut();
          return;
        }
        deadline = Date.now() + data.seconds_left * 1000;
        hide();
        schedule();
      })
      .catch(signedOut);
  });

  document.addEventListener("htmx:afterRequest", function () {
    deadline = Date.now() + idleSeconds * 1000; /* any request to the server is activity */
    hide();
    schedule();
  });

  schedule();

  /* Drafts kept from a form posted after the session ended. */
  var draftsUrl = body.dataset.draftsUrl;
  var draftNotice = document.getElementById("draft-notice");
  if (!draftsUrl || !draftNotice) {
    return;
  }
  var page = window.location.pathname + window.location.search;

  function formFor(path) {
    var forms = document.querySelectorAll("form");
    for (var i = 0; i < forms.length; i += 1) {
      var action = new URL(forms[i].getAttribute("action") || window.location.href, window.location.href);
      if (action.pathname === path && (forms[i].method || "").toLowerCase() === "post") {
        return forms[i];
      }
    }
    return null;
  }

  function fill(form, fields) {
    var byName = {};
    fields.forEach(function (pair) {
      (byName[pair[0]] = byName[pair[0]] || []).push(pair[1]);
    });
    Array.prototype.forEach.call(form.elements, function (element) {
      var values = byName[element.name];
      if (!element.name || element.type === "hidden" || element.type === "submit" || element.type === "button") {
        return;
      }
      if (element.type === "checkbox" || element.type === "radio") {
        element.checked = Boolean(values) && values.indexOf(element.value) !== -1;
      } else if (element.tagName === "SELECT" && element.multiple) {
        Array.prototype.forEach.call(element.options, function (option) {
          option.selected = Boolean(values) && values.indexOf(option.value) !== -1;
        });
      } else if (values) {
        element.value = values[0];
      }
    });
  }

  fetch(draftsUrl + "?page=" + encodeURIComponent(page), {
    credentials: "same-origin",
    headers: { Accept: "application/json" },
  })
    .then(asJson)
    .then(function (data) {
      if (!data || !data.drafts.length) {
        return;
      }
      var draft = data.drafts[0];
      var form = formFor(draft.form_path);
      if (!form) {
        return;
      }
      fill(form, draft.fields);
      var marker = document.createElement("input");
      marker.type = "hidden";
      marker.name = "_draft";
      marker.value = String(draft.id);
      form.appendChild(marker);
      var saved = new Date(draft.saved_at);
      document.getElementById("draft-notice-text").textContent =
        "What you submitted at " + saved.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" }) +
        ", after you were signed out, has been filled in again. Check it, then submit.";
      draftNotice.hidden = false;
      form.scrollIntoView({ block: "center" });
      document.getElementById("draft-discard").addEventListener("click", function () {
        fetch(draftsUrl + draft.id + "/discard/", {
          method: "POST",
          credentials: "same-origin",
          headers: { Accept: "application/json", "X-CSRFToken": csrfToken() },
        }).then(function () {
          form.reset();
          marker.remove();
          draftNotice.hidden = true;
        });
      });
    });
})();
