// Natural Admin: the keyboard on every table, and the review queue's marks without a page load.
// Every action here is also a link, a button or a form that works without it. No inline handlers.
(function () {
  "use strict";

  var anchorIndex = -1;   // where Shift+x ranges from: the row last ticked with x
  var focusAfterSwap = -1; // the row index to focus once the queue has read itself again
  var markResult = "";    // what the last mark or undo did, said once the queue has read itself
  var toastTimer = null;

  function typing(element) {
    if (!element) return false;
    if (element.isContentEditable) return true;
    if (element.tagName === "TEXTAREA" || element.tagName === "SELECT") return true;
    return element.tagName === "INPUT" &&
      !/^(checkbox|radio|button|submit|reset)$/.test(element.type);
  }

  function table() { return document.querySelector("table.data[data-table]"); }

  function rows(list) {
    if (!list || !list.tBodies[0]) return [];
    return Array.prototype.filter.call(list.tBodies[0].rows, function (row) {
      return row.hasAttribute("data-row");
    });
  }

  function currentIndex(list) {
    var all = rows(list);
    var active = document.activeElement && document.activeElement.closest
      ? document.activeElement.closest("tr[data-row]") : null;
    var index = all.indexOf(active);
    if (index === -1) index = all.indexOf(list.querySelector("tr.row-focus"));
    return index;
  }

  // What a screen reader says as the keys reach a row. The focus is real: the <tr> itself takes
  // it (tabindex -1), so the row is said as any focused element is, by its accessible name, and a
  // table row has no name of its own (Chromium gives it none). aria-activedescendant is not for
  // this: only a composite widget (grid, listbox) may carry it, and turning the table into a grid
  // would change how readers walk its cells and links. A live region would say the row a second
  // time after the focus change. So the focused row is named: the cells that name it, its status,
  // and where it stands ("Agent: Acme Pay, Customer: Ada Li, Review: Not reviewed, row 3 of 20").
  function heading(list, cell) {
    var head = list.tHead && list.tHead.rows[0] && list.tHead.rows[0].cells[cell.cellIndex];
    return head ? head.textContent.replace(/[▲▼]/g, "").replace(/\s+/g, " ").trim() : "";
  }

  function words(element) {
    var copy = element.cloneNode(true);
    // Ids are long hexadecimal strings nobody listens to; buttons and boxes are not the row.
    copy.querySelectorAll(".id, button, input, .mark-actions, .row-actions").forEach(function (part) {
      part.remove();
    });
    return copy.textContent.replace(/\s+/g, " ").trim();
  }

  function rowName(list, row, index, total) {
    var cells = Array.prototype.slice.call(row.querySelectorAll("td.cell-name"));
    if (!cells.length) {
      var first = row.querySelector("td:not(.select-col)");
      if (first) cells.push(first);
    }
    var said = cells.map(function (cell) {
      var label = heading(list, cell), text = words(cell);
      return label && text ? label + ": " + text : text;
    });
    var status = row.querySelector("td.review-mark > .badge, td.review-mark > .muted") ||
      row.querySelector("td .badge");
    var statusCell = status && status.closest("td");
    if (status && cells.indexOf(statusCell) === -1) {
      var label = heading(list, statusCell), text = words(status);
      said.push(label ? label + ": " + text : text);
    }
    said.push("row " + (index + 1) + " of " + total);
    return said.filter(Boolean).join(", ");
  }

  function focusRow(list, index) {
    var all = rows(list);
    if (!all.length) return null;
    index = Math.max(0, Math.min(index, all.length - 1));
    all.forEach(function (row) {
      row.classList.remove("row-focus");
      row.removeAttribute("aria-label");
    });
    var row = all[index];
    row.classList.add("row-focus");
    row.setAttribute("aria-label", rowName(list, row, index, all.length));
    row.tabIndex = -1;
    row.focus({ preventScroll: true });
    row.scrollIntoView({ block: "nearest" });
    return row;
  }

  function box(row) { return row ? row.querySelector("input[data-selectable]") : null; }

  function tick(row, checked) {
    var input = box(row);
    if (!input || input.checked === checked) return;
    input.checked = checked;
    input.dispatchEvent(new Event("change", { bubbles: true }));
  }

  function ticked(list) {
    return Array.prototype.map.call(
      list.querySelectorAll("input[data-selectable]:checked"), function (input) { return input.value; });
  }

  function keysDialog() { return document.getElementById("keys-dialog"); }

  function openDialog() {
    var open = document.querySelector("dialog[open]");
    return open;
  }

  // The review queue: one request marks the focused row or every ticked one.
  function queue() { return document.getElementById("review-toast"); }

  function marksUrl() {
    var bar = document.querySelector("[data-bulk-verdict]");
    return bar ? bar.getAttribute("formaction") : null;
  }

  function targets(list) {
    var chosen = ticked(list);
    if (chosen.length) return chosen;
    var index = currentIndex(list);
    var row = rows(list)[index];
    return row ? [row.getAttribute("data-row")] : [];
  }

  function rememberPlace(list, ids) {
    var all = rows(list);
    var first = all.findIndex(function (row) { return ids.indexOf(row.getAttribute("data-row")) !== -1; });
    focusAfterSwap = first === -1 ? Math.max(currentIndex(list), 0) : first;
  }

  function here() { return window.location.pathname + window.location.search; }

  function markReviewed(list, ids) {
    var url = marksUrl();
    if (!url || !ids.length || !window.htmx) return;
    rememberPlace(list, ids);
    window.htmx.ajax("POST", url, {
      source: queue(), target: "#review-toast", swap: "innerHTML",
      values: { delegation: ids, verdict: "reviewed", next: here() },
    });
  }

  function askFlag(list, ids) {
    var url = marksUrl();
    if (!url || !ids.length || !window.htmx) return;
    rememberPlace(list, ids);
    var query = new URLSearchParams({ verdict: "flagged", next: here() });
    ids.forEach(function (id) { query.append("delegation", id); });
    window.htmx.ajax("GET", url + "?" + query.toString(), {
      source: queue(), target: "#action-dialog-body", swap: "innerHTML",
    });
  }

  function revoke(list) {
    if (ticked(list).length) {
      var bulk = document.querySelector("[data-selection-bar] button.danger");
      if (bulk) bulk.click();
      return;
    }
    var row = rows(list)[currentIndex(list)];
    var link = row && row.querySelector(".row-actions a");
    if (link) link.click();
  }

  // The bar's Mark reviewed / Flag… and a row's Reviewed / Flag… links, without leaving the page.
  document.addEventListener("click", function (event) {
    var list = table();
    if (!list || !queue()) return;
    var bulk = event.target.closest("[data-bulk-verdict]");
    if (bulk) {
      event.preventDefault();
      var ids = ticked(list);
      if (bulk.getAttribute("data-bulk-verdict") === "flagged") askFlag(list, ids);
      else markReviewed(list, ids);
      return;
    }
    var single = event.target.closest("[data-mark-row]");
    if (single) {
      event.preventDefault();
      markReviewed(list, [single.getAttribute("data-mark-row")]);
    }
  });

  document.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail.target;
    if (!target || target.id !== "review-toast") return;
    var result = target.querySelector("[data-review-result]");
    var skipped = target.querySelector(".toast-line .muted");
    markResult = result ? result.textContent.trim() : "";
    if (markResult && skipped) markResult += "; " + skipped.textContent.replace(/^[\s·]+/, "");
    window.clearTimeout(toastTimer);
    target.classList.add("is-shown");
    // The message, and its Undo, stay a few seconds unless the pointer or focus is on them.
    toastTimer = window.setTimeout(function hide() {
      if (target.matches(":hover, :focus-within")) {
        toastTimer = window.setTimeout(hide, 2000);
        return;
      }
      target.classList.remove("is-shown");
      target.textContent = "";
    }, 8000);
  });

  // Once the queue has read itself again, the row that took the marked one's place has focus,
  // and the table's announcement (static/js/app.js says it in the page's one polite live region)
  // leads with what the mark did: "1 marked reviewed. 261 left to review." Said once, after the
  // focus has moved: the message area is not a live region of its own, since the focus change
  // right after its swap would cut it off. Capture phase: this runs before app.js's handler,
  // which then finds the row focused and leaves the focus there.
  document.addEventListener("htmx:afterSettle", function (event) {
    var target = event.detail.target;
    var list = target && target.querySelector("table.data[data-table]");
    if (!list) return;
    var count = target.querySelector("[data-announce]");
    if (markResult && count && queue()) {
      count.setAttribute("data-announce", markResult + ". " + count.getAttribute("data-announce") + ".");
      markResult = "";
    }
    if (focusAfterSwap < 0 || document.querySelector("dialog[open]")) return;
    // One swap settles once for each of its out-of-band parts too: the place is kept until
    // the next key, so each settle lands on the same row.
    focusRow(list, focusAfterSwap);
  }, true);

  document.addEventListener("keydown", function (event) {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) return;
    if (event.key !== "Shift") focusAfterSwap = -1;
    var active = document.activeElement;
    var list = table();
    if (event.key === "Escape") {
      if (openDialog()) return; // the dialog closes itself
      if (typing(active) && active.type === "search" && list) {
        active.blur();
        focusRow(list, Math.max(currentIndex(list), 0));
        return;
      }
      if (!list || typing(active)) return;
      list.querySelectorAll("input[data-selectable]:checked").forEach(function (input) {
        input.checked = false;
        input.dispatchEvent(new Event("change", { bubbles: true }));
      });
      anchorIndex = -1;
      return;
    }
    if (typing(active) || openDialog() || !list) return;
    var key = event.key;
    var index = currentIndex(list);
    var onRow = index !== -1;
    if (key === "j" || (key === "ArrowDown" && onRow)) {
      event.preventDefault();
      focusRow(list, index + 1);
    } else if (key === "k" || (key === "ArrowUp" && onRow)) {
      event.preventDefault();
      focusRow(list, index === -1 ? 0 : index - 1);
    } else if ((key === "x" || key === "X") && onRow) {
      event.preventDefault();
      var all = rows(list);
      if (key === "X" && anchorIndex !== -1) {
        var from = Math.min(anchorIndex, index), to = Math.max(anchorIndex, index);
        for (var i = from; i <= to; i++) tick(all[i], true);
      } else {
        var input = box(all[index]);
        if (input) tick(all[index], !input.checked);
      }
      anchorIndex = index;
    } else if (key === "Enter" && onRow && active && active.tagName === "TR") {
      var link = active.querySelector("a[href]");
      if (link) {
        event.preventDefault();
        link.click();
      }
    } else if (key === "/") {
      var search = document.querySelector("form.filters input[type=search]");
      if (search) {
        event.preventDefault();
        search.focus();
        search.select();
      }
    } else if (key === "?") {
      var help = keysDialog();
      if (help) {
        event.preventDefault();
        help.showModal();
      }
    } else if (queue() && (key === "r" || key === "f" || key === "v" || key === "z")) {
      if (key === "z") {
        var undo = queue().querySelector("[data-undo]");
        if (undo) {
          event.preventDefault();
          if (onRow) focusAfterSwap = index;
          undo.click();
        }
        return;
      }
      var ids = targets(list);
      if (!ids.length) return;
      event.preventDefault();
      if (key === "r") markReviewed(list, ids);
      else if (key === "f") askFlag(list, ids);
      else revoke(list);
    }
  });

  // A click on a row (not on its links or box) gives it the focus the keys move.
  document.addEventListener("click", function (event) {
    var row = event.target.closest("table.data tbody tr[data-row]");
    if (!event.target.closest("#review-toast, [data-bulk-verdict], [data-mark-row]")) focusAfterSwap = -1;
    if (!row || event.target.closest("a, button, input, label, select, textarea, summary")) return;
    var list = row.closest("table");
    focusRow(list, rows(list).indexOf(row));
  });

  document.addEventListener("click", function (event) {
    if (event.target.closest("#keys-dialog [data-dialog-cancel]")) {
      event.preventDefault();
      keysDialog().close();
    }
  });
})();

/* Phones: the filters fold behind one button (without JavaScript they are always shown). */
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var toggle = event.target.closest("[data-filters-toggle]");
    if (!toggle) return;
    var form = document.getElementById(toggle.getAttribute("aria-controls"));
    var open = toggle.getAttribute("aria-expanded") !== "true";
    toggle.setAttribute("aria-expanded", open ? "true" : "false");
    if (form) form.classList.toggle("filters-open", open);
  });

  // Each cell says which column it is when a phone shows rows as cards.
  function label(root) {
    root.querySelectorAll("table.data").forEach(function (list) {
      var heads = Array.prototype.map.call(list.querySelectorAll("thead th"), function (th) {
        return th.textContent.replace(/[▲▼]/g, "").trim();
      });
      list.querySelectorAll("tbody tr").forEach(function (row) {
        Array.prototype.forEach.call(row.cells, function (cell, i) {
          if (heads[i] && !cell.hasAttribute("data-label")) cell.setAttribute("data-label", heads[i]);
        });
      });
    });
  }
  document.addEventListener("DOMContentLoaded", function () { label(document); });
  document.addEventListener("htmx:afterSettle", function (event) {
    if (event.detail.target) label(event.detail.target);
  });
})();
