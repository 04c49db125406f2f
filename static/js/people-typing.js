/* People typing: suggestions under the focal-point and team fields of the plan forms.
 *
 * htmx asks /people/suggest/ as the user types (the hx-* attributes the server puts on
 * the field) and fills the list under it. This file adds what htmx does not: the ARIA
 * combobox, the keyboard (arrows, Enter, Escape), picking a person with the keyboard or
 * the mouse (their id goes into the hidden field beside the name, so the form reuses
 * exactly that person), and the text sent: the whole name, or for a list of names
 * (team members) the one being typed. Without JavaScript the fields stay plain text
 * fields with the plan's people in a datalist.
 */
(function () {
  "use strict";

  var SEPARATOR = /[,;\/+\n]|\s(?:and|&)\s/gi;

  function listOf(input) { return document.getElementById(input.id + "-suggestions"); }
  function options(list) { return Array.prototype.slice.call(list.querySelectorAll('[role="option"]')); }
  function isList(input) { return input.getAttribute("data-people-mode") === "list"; }
  function hiddenOf(input) { return document.getElementById(input.getAttribute("data-person-input") || ""); }

  function announce(text) {
    var status = document.getElementById("people-status");
    if (status) { status.textContent = text; }
  }

  /* The name being typed: the whole field, or what follows the last separator. */
  function lastName(value) {
    var start = 0, match;
    SEPARATOR.lastIndex = 0;
    while ((match = SEPARATOR.exec(value)) !== null) { start = match.index + match[0].length; }
    return { start: start, text: value.slice(start).replace(/^\s+/, "") };
  }

  function setActive(input, option) {
    var list = listOf(input);
    options(list).forEach(function (each) { each.setAttribute("aria-selected", each === option ? "true" : "false"); });
    if (option) {
      input.setAttribute("aria-activedescendant", option.id);
      option.scrollIntoView({ block: "nearest" });
    } else {
      input.removeAttribute("aria-activedescendant");
    }
  }

  function open(input) {
    var list = listOf(input), found = options(list).length;
    list.hidden = found === 0;
    input.setAttribute("aria-expanded", found ? "true" : "false");
    setActive(input, null);
    return found;
  }

  function close(input) {
    var list = listOf(input);
    if (list) { list.hidden = true; }
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
  }

  function pick(input, option) {
    var name = option.getAttribute("data-name"), id = option.getAttribute("data-person");
    var hidden = hiddenOf(input);
    if (isList(input)) {
      var before = input.value.slice(0, lastName(input.value).start);
      input.value = (before ? before.replace(/\s*$/, " ") : "") + name + ", ";
      if (hidden) {
        var ids = hidden.value.split(/\s+/).filter(Boolean);
        if (ids.indexOf(id) < 0) { ids.push(id); }
        hidden.value = ids.join(" ");
      }
    } else {
      input.value = name;
      if (hidden) { hidden.value = id; }
    }
    close(input);
    input.focus();
    announce(option.textContent.replace(/\s+/g, " ").trim() + " ✓");
  }

  function onKey(event) {
    var input = event.target, list = listOf(input);
    var all = options(list), expanded = !list.hidden && all.length > 0;
    var current = all.indexOf(list.querySelector('[aria-selected="true"]'));
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      if (!all.length) { return; }
      event.preventDefault();
      if (!expanded) { open(input); current = -1; }
      var next = event.key === "ArrowDown" ? current + 1 : current - 1;
      if (next >= all.length) { next = 0; }
      if (next < 0) { next = all.length - 1; }
      setActive(input, all[next]);
    } else if (event.key === "Enter" && expanded && current >= 0) {
      event.preventDefault();  // pick, do not submit the form
      pick(input, all[current]);
    } else if (event.key === "Escape" && expanded) {
      event.preventDefault();
      close(input);
    } else if (event.key === "Tab") {
      close(input);
    }
  }

  function enhance(input) {
    if (input.getAttribute("data-people-ready")) { return; }
    input.setAttribute("data-people-ready", "1");
    input.removeAttribute("list");  // our list replaces the datalist
    if (input.tagName === "INPUT") { input.setAttribute("role", "combobox"); }
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", input.id + "-suggestions");
    input.addEventListener("keydown", onKey);
    input.addEventListener("input", function () {
      // Typing over a picked person: the name is no longer theirs.
      var hidden = hiddenOf(input);
      if (hidden && !isList(input)) { hidden.value = ""; }
    });
    input.addEventListener("blur", function () {
      window.setTimeout(function () { if (document.activeElement !== input) { close(input); } }, 150);
    });
  }

  document.addEventListener("htmx:configRequest", function (event) {
    var input = event.detail.elt;
    if (!input.hasAttribute || !input.hasAttribute("data-people-suggest")) { return; }
    if (input.form && input.form.getAttribute("data-people-sent")) {
      event.preventDefault();  // the form is on its way: no suggestions any more
      return;
    }
    event.detail.parameters.q = isList(input) ? lastName(input.value).text : input.value;
  });

  document.addEventListener("submit", function (event) {
    if (event.target.querySelector("[data-people-suggest]")) {
      event.target.setAttribute("data-people-sent", "1");
    }
  });

  document.addEventListener("htmx:afterSwap", function (event) {
    var list = event.detail.target;
    if (!list.classList || !list.classList.contains("people-suggestions")) { return; }
    var input = document.getElementById(list.id.replace(/-suggestions$/, ""));
    if (!input) { return; }
    if (document.activeElement !== input) { close(input); return; }
    var found = open(input);
    announce(found === 0 ? "" : found === 1 ? "1 person suggested" : found + " people suggested");
  });

  // Back to the page from the browser's cache: the form was not sent from here.
  window.addEventListener("pageshow", function () {
    Array.prototype.forEach.call(document.querySelectorAll("form[data-people-sent]"), function (form) {
      form.removeAttribute("data-people-sent");
    });
  });

  // Mouse and touch: pick without leaving the field first.
  document.addEventListener("mousedown", function (event) {
    var option = event.target.closest && event.target.closest('.people-suggestions [role="option"]');
    if (!option) { return; }
    event.preventDefault();
    var input = document.getElementById(option.parentNode.id.replace(/-suggestions$/, ""));
    if (input) { pick(input, option); }
  });

  function start() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-people-suggest]"), enhance);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
