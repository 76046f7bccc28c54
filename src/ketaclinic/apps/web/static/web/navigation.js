// The menu on narrow screens: one button shows or hides it (aria-expanded says which).
// Menu groups (<details>) close when another opens, on Escape, and on a click elsewhere.
// External file, no inline script: the Content-Security-Policy allows scripts from us only.
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  function groups() {
    return Array.prototype.slice.call(document.querySelectorAll(".navgroup details"));
  }

  document.addEventListener("DOMContentLoaded", function () {
    var toggle = document.querySelector(".nav-toggle");
    var menu = document.getElementById("site-menu");
    if (toggle && menu) {
      toggle.addEventListener("click", function () {
        var open = toggle.getAttribute("aria-expanded") !== "true";
        toggle.setAttribute("aria-expanded", open ? "true" : "false");
        menu.classList.toggle("site-menu-open", open);
      });
    }
    groups().forEach(function (details) {
      details.addEventListener("toggle", function () {
        if (details.open) {
          groups().forEach(function (other) {
            if (other !== details) {
              other.open = false;
            }
          });
        }
      });
    });
    document.addEventListener("click", function (event) {
      groups().forEach(function (details) {
        if (details.open && !details.contains(event.target)) {
          details.open = false;
        }
      });
    });
    document.addEventListener("keydown", function (event) {
      if (event.key !== "Escape") {
        return;
      }
      groups().forEach(function (details) {
        if (details.open) {
          details.open = false;
          details.querySelector("summary").focus();
        }
      });
    });
  });
})();
