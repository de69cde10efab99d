// Natural Admin: the little behaviour htmx does not give us. No inline handlers (strict CSP).
document.documentElement.classList.add("js");

(function () {
  "use strict";

  var banner = document.getElementById("banner");
  var lastFailed = null;

  function showBanner(text, retryable) {
    if (!banner) return;
    banner.querySelector(".banner-text").textContent = text;
    banner.querySelector(".banner-retry").hidden = !retryable;
    banner.hidden = false;
  }

  function hideBanner() {
    if (banner) banner.hidden = true;
  }

  function announce(text) {
    var region = document.getElementById("live-region");
    if (region) {
      region.textContent = "";
      window.setTimeout(function () { region.textContent = text; }, 50);
    }
  }

  // An upstream failure answered with an error status: htmx 2 does not swap it, so say so.
  document.addEventListener("htmx:responseError", function (event) {
    var xhr = event.detail.xhr;
    var message = xhr.getResponseHeader("X-Natural-Error") ||
      "The request failed (" + xhr.status + "). Nothing was changed.";
    lastFailed = event.detail.elt;
    showBanner(message + " [" + xhr.status + "]", true);
  });

  // The network itself failed (dashboard unreachable): nothing came back at all.
  document.addEventListener("htmx:sendError", function (event) {
    lastFailed = event.detail.elt;
    showBanner("The dashboard could not be reached. Check your connection and retry.", true);
  });

  document.addEventListener("htmx:beforeRequest", function (event) {
    var target = event.detail.target;
    if (target) target.setAttribute("aria-busy", "true");
  });

  document.addEventListener("htmx:afterRequest", function (event) {
    var target = event.detail.target;
    if (target) target.removeAttribute("aria-busy");
    if (event.detail.successful) hideBanner();
  });

  // After a table swap, move focus to its caption and announce the row count.
  document.addEventListener("htmx:afterSettle", function (event) {
    var target = event.detail.target;
    if (!target) return;
    var caption = target.querySelector("[data-focus-after-swap]");
    // A row that has the keys' focus keeps it (static/js/keys.js puts it back after a mark).
    if (caption && !target.querySelector("tr.row-focus")) caption.focus({ preventScroll: true });
    var count = target.querySelector("[data-announce]");
    if (count) announce(count.getAttribute("data-announce"));
  });

  document.addEventListener("click", function (event) {
    var retry = event.target.closest(".banner-retry");
    if (retry) {
      hideBanner();
      if (lastFailed && window.htmx) {
        window.htmx.trigger(lastFailed, lastFailed.tagName === "FORM" ? "submit" : "click");
      } else {
        window.location.reload();
      }
      return;
    }
    if (event.target.closest(".banner-close")) {
      hideBanner();
      return;
    }
    var copy = event.target.closest("[data-copy]");
    if (copy && navigator.clipboard) {
      navigator.clipboard.writeText(copy.getAttribute("data-copy")).then(function () {
        copy.classList.add("copied");
        announce("Copied " + copy.getAttribute("data-copy"));
        window.setTimeout(function () { copy.classList.remove("copied"); }, 1200);
      });
    }
  });

  // Select-all checkboxes and "N selected" bars for bulk actions. Without JavaScript the bar's
  // button is always enabled and the confirm page says when nothing was chosen.
  function countSelection(form) {
    var bar = form.querySelector("[data-selection-count]");
    if (!bar) return;
    var count = form.querySelectorAll("input[data-selectable]:checked").length;
    bar.textContent = count + " selected";
    // Once a row is ticked the bar follows: it stays at the bottom of the window.
    var follows = bar.closest("[data-selection-bar]");
    if (follows) follows.classList.toggle("is-following", count > 0);
    form.querySelectorAll("[data-needs-selection]").forEach(function (button) {
      button.disabled = count === 0;
    });
  }

  function countEverySelection(root) {
    root.querySelectorAll("form").forEach(countSelection);
  }

  document.addEventListener("DOMContentLoaded", function () { countEverySelection(document); });
  document.addEventListener("htmx:afterSettle", function (event) {
    if (event.detail.target) countEverySelection(event.detail.target);
  });

  document.addEventListener("change", function (event) {
    var box = event.target;
    if (!(box instanceof HTMLInputElement) || box.type !== "checkbox") return;
    var form = box.form;
    if (!form) return;
    if (box.hasAttribute("data-select-all")) {
      form.querySelectorAll("input[data-selectable]").forEach(function (item) {
        item.checked = box.checked;
      });
    }
    countSelection(form);
  });

  // A submit button may be pressed once; the server makes a second press harmless anyway.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.hasAttribute("data-once")) return;
    if (form.dataset.submitted === "true") {
      event.preventDefault();
      return;
    }
    form.dataset.submitted = "true";
    form.querySelectorAll("button[type=submit]").forEach(function (button) {
      button.setAttribute("aria-disabled", "true");
      button.classList.add("is-busy");
    });
  });

  // Back/forward to a page that was left mid-submit must be usable again.
  window.addEventListener("pageshow", function () {
    document.querySelectorAll("form[data-once]").forEach(function (form) {
      form.dataset.submitted = "";
      form.querySelectorAll("button[type=submit]").forEach(function (button) {
        button.removeAttribute("aria-disabled");
        button.classList.remove("is-busy");
      });
    });
  });
})();

/* Browse */
// A table region marked data-swap-errors shows its own error (invalid filters, Natural down)
// instead of keeping stale rows under a generic banner.
(function () {
  "use strict";
  var SHOWN_ERRORS = [400, 404, 429, 502, 503, 504];
  document.addEventListener("htmx:beforeSwap", function (event) {
    var target = event.detail.target;
    if (!target || !target.hasAttribute("data-swap-errors")) return;
    if (SHOWN_ERRORS.indexOf(event.detail.xhr.status) === -1) return;
    event.detail.shouldSwap = true;
    event.detail.isError = false;
  });
})();

/* Actions: confirmations open in a <dialog> when JavaScript runs; without it they are pages. */
(function () {
  "use strict";

  function dialog() { return document.getElementById("action-dialog"); }

  function closeDialog() {
    var box = dialog();
    if (box && box.open) box.close();
  }

  document.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail.target;
    if (!target || target.id !== "action-dialog-body") return;
    var box = dialog();
    if (box && !box.open) box.showModal();
    var field = target.querySelector("[aria-invalid=true], textarea, input:not([type=hidden])");
    if (field) field.focus();
  });

  // A confirmation that answered with the updated row closes its dialog.
  document.addEventListener("htmx:afterRequest", function (event) {
    var form = event.detail.elt;
    if (form && form.hasAttribute && form.hasAttribute("data-closes-dialog") && event.detail.successful) {
      // Answered back into the dialog (a bad value): it stays open with the error next to the field.
      if (event.detail.xhr.getResponseHeader("HX-Retarget")) return;
      closeDialog();
    }
  });

  document.addEventListener("click", function (event) {
    var cancel = event.target.closest("#action-dialog [data-dialog-cancel]");
    if (cancel) {
      event.preventDefault();
      closeDialog();
    }
  });
})();

/* Shell: the narrow-screen menu, and full text for cells cut short by an ellipsis. */
(function () {
  "use strict";

  document.addEventListener("click", function (event) {
    var toggle = event.target.closest("[data-nav-toggle]");
    if (!toggle) return;
    var bar = toggle.closest(".topbar");
    var open = !bar.classList.contains("nav-open");
    bar.classList.toggle("nav-open", open);
    toggle.setAttribute("aria-expanded", open ? "true" : "false");
  });

  function titleTruncated(root) {
    root.querySelectorAll("table.data td, table.data td .id").forEach(function (cell) {
      if (cell.hasAttribute("title") || cell.scrollWidth <= cell.clientWidth) return;
      var text = cell.textContent.replace(/\s+/g, " ").trim();
      if (text) cell.setAttribute("title", text);
    });
  }

  document.addEventListener("DOMContentLoaded", function () { titleTruncated(document); });
  document.addEventListener("htmx:afterSettle", function (event) {
    if (event.detail.target) titleTruncated(event.detail.target);
  });
})();

// The menus above a table are <details> (they work without this): one open at a time, and a
// click elsewhere or Escape closes them.
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    document.querySelectorAll(".view-bar details[open]").forEach(function (menu) {
      if (!menu.contains(event.target)) menu.removeAttribute("open");
    });
  });
  // Filters applied through htmx change the rows, not the bar: once the question differs from
  // the view the page opened with, the bar no longer names that view.
  document.addEventListener("htmx:afterSettle", function (event) {
    var target = event.detail.target;
    var current = document.querySelector(".view-bar .menu-current");
    var query = target && target.querySelector("input[name=query][form$='-save']");
    if (!current || !query) return;
    current.textContent = query.value === current.getAttribute("data-query")
      ? current.getAttribute("data-name") : "unsaved";
  });
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    var open = document.querySelector(".view-bar details[open]");
    if (!open) return;
    open.removeAttribute("open");
    open.querySelector("summary").focus();
  });
})();
