/* The plan page: keyboard in the plan table, and focus after an htmx save.
 *
 * Rows (tr.ap-row) are reached with one Tab (a roving tabindex: the row last
 * visited has tabindex 0, the others -1); then Arrow down / J and Arrow up / K move
 * between rows, Enter on a row opens its update form (or, for who cannot update
 * it, its action point's page), Escape in a form or menu closes it and returns to
 * the row. After an htmx save the server marks the swapped row or card with
 * data-focus-after-swap: focus goes back to it (or to the first field in error).
 * No inline script: the Content-Security-Policy allows this file only.
 */
(function () {
  "use strict";

  var FIELDS = "select, input:not([type=hidden]), textarea, button";

  function rows() { return Array.prototype.slice.call(document.querySelectorAll("tr.ap-row")); }

  function setCurrent(row) {
    rows().forEach(function (other) { other.setAttribute("tabindex", other === row ? "0" : "-1"); });
  }

  function goTo(row) {
    if (!row) { return; }
    setCurrent(row);
    row.focus();
  }

  function openEditor(row) {
    var details = row.querySelector("details.row-edit");
    if (!details) {
      var link = row.querySelector("a.ap-link");
      if (link) { link.click(); }
      return;
    }
    details.open = true;
    var field = details.querySelector(FIELDS);
    (field || details.querySelector("summary")).focus();
  }

  function focusAfterSwap() {
    var marked = document.querySelector("[data-focus-after-swap]");
    if (!marked) { return; }
    marked.removeAttribute("data-focus-after-swap");
    var invalid = marked.querySelector(
      FIELDS.split(", ").map(function (field) { return ".has-error " + field; }).join(", ") + ", .conflict"
    );
    if (invalid) {
      if (!invalid.matches(FIELDS)) { invalid.setAttribute("tabindex", "-1"); }
      invalid.focus();
      return;
    }
    if (marked.matches("tr.ap-row")) { setCurrent(marked); }
    marked.focus();
  }

  document.addEventListener("keydown", function (event) {
    if (event.altKey || event.ctrlKey || event.metaKey) { return; }
    var target = event.target;
    var row = target.closest ? target.closest("tr.ap-row") : null;
    if (!row) { return; }
    if (event.key === "Escape") {
      var open = target.closest("details[open]");
      if (open && row.contains(open)) {
        open.open = false;
        event.preventDefault();
        goTo(row);
      }
      return;
    }
    if (target !== row) { return; } // keys in links, fields and menus are theirs
    var list = rows();
    var index = list.indexOf(row);
    if (event.key === "ArrowDown" || event.key === "j") {
      event.preventDefault();
      goTo(list[index + 1]);
    } else if (event.key === "ArrowUp" || event.key === "k") {
      event.preventDefault();
      goTo(list[index - 1]);
    } else if (event.key === "Home") {
      event.preventDefault();
      goTo(list[0]);
    } else if (event.key === "End") {
      event.preventDefault();
      goTo(list[list.length - 1]);
    } else if (event.key === "Enter") {
      event.preventDefault();
      openEditor(row);
    }
  });

  // A click or Tab into a row makes it the one Tab comes back to.
  document.addEventListener("focusin", function (event) {
    var row = event.target.closest ? event.target.closest("tr.ap-row") : null;
    if (row && row.getAttribute("tabindex") !== "0") { setCurrent(row); }
  });

  document.addEventListener("htmx:afterSettle", function (event) {
    // A form fetched when its row's editor was opened (large plans): onto its first field.
    var target = event.detail && event.detail.target;
    var editor = target && target.closest ? target.closest("details.row-edit") : null;
    if (editor && editor.open && editor.contains(document.activeElement)) {
      var field = editor.querySelector("form " + "select, input:not([type=hidden]), textarea");
      if (field) { field.focus(); }
    }
    focusAfterSwap();
  });
  // An outerHTML swap replaces the element the request came from: the new row or
  // card announces itself with htmx:load (on the new element, in the page).
  document.addEventListener("htmx:load", focusAfterSwap);

  function start() {
    var list = rows();
    if (list.length && !list.some(function (row) { return row.getAttribute("tabindex") === "0"; })) {
      var anchored = location.hash ? document.getElementById(location.hash.slice(1)) : null;
      setCurrent(anchored && anchored.matches("tr.ap-row") ? anchored : list[0]);
    }
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();

/* The bulk edit bar above the table (coordinators, templates/jinja2/actionplans/
 * _bulk_bar.html): shown only while action points are ticked, its button saying how
 * many. Without this script the bar is always shown and works the same (the rows'
 * checkboxes belong to its form through their form attribute).
 */
(function () {
  "use strict";

  var BOXES = "input[name=action_points][form=bulk]";

  function start() {
    var bar = document.getElementById("bulk");
    if (!bar) { return; }
    var button = bar.querySelector("button");
    var count = document.createElement("span");
    count.className = "bulk-count";
    button.appendChild(count);

    function refresh() {
      var ticked = document.querySelectorAll(BOXES + ":checked").length;
      bar.hidden = ticked === 0;
      count.textContent = " (" + ticked + ")";
    }

    document.addEventListener("change", function (event) {
      if (event.target.matches && event.target.matches(BOXES)) { refresh(); }
    });
    // A row swapped in after an update (htmx) comes back unticked.
    document.addEventListener("htmx:load", refresh);
    refresh();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
