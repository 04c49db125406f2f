/* Mentions: people suggested after "@" in a comment box.
 *
 * A textarea with data-mentions-url asks that address (?q=what follows the "@" before
 * the caret) for the people who may be mentioned, and lists them under the box as an
 * ARIA listbox; arrows, Enter or Tab, Escape, or the mouse pick one. Picking writes
 * the person's token, @[Name](person:12), in place of what was typed: the server reads
 * it as exactly that person. Without JavaScript, "@" and a full name typed by hand
 * works too (actionplans/mentions.py).
 */
(function () {
  "use strict";

  // "@" at the start or after a space or punctuation, then up to 40 characters of a
  // name (no "@", brackets or line break), right before the caret.
  var TYPED = /(^|[^\w@])@([^@\[\]\n]{0,40})$/;
  var timer = null, asked = 0;

  function listOf(box) { return document.getElementById(box.id + "-suggestions"); }
  function options(list) { return Array.prototype.slice.call(list.querySelectorAll('[role="option"]')); }
  // The live region that says how many people are suggested, added with the
  // suggestions (the page without JavaScript has no use for it).
  function announce(text) {
    var status = document.getElementById("mention-status");
    if (!status) {
      status = document.createElement("div");
      status.id = "mention-status";
      status.className = "visually-hidden";
      status.setAttribute("role", "status");
      status.setAttribute("aria-live", "polite");
      document.body.appendChild(status);
    }
    status.textContent = text;
  }

  function typed(box) {
    var before = box.value.slice(0, box.selectionStart);
    var match = TYPED.exec(before);
    if (!match) { return null; }
    return { start: before.length - match[2].length - 1, text: match[2] };
  }

  function close(box) {
    var list = listOf(box);
    list.hidden = true;
    list.textContent = "";
    box.removeAttribute("aria-activedescendant");
  }

  function setActive(box, option) {
    options(listOf(box)).forEach(function (each) {
      each.setAttribute("aria-selected", each === option ? "true" : "false");
    });
    if (option) {
      box.setAttribute("aria-activedescendant", option.id);
      option.scrollIntoView({ block: "nearest" });
    }
  }

  function show(box, people) {
    var list = listOf(box);
    list.textContent = "";
    people.forEach(function (person, index) {
      var option = document.createElement("li");
      option.setAttribute("role", "option");
      option.id = box.id + "-mention-" + index;
      option.className = "people-option";
      option.setAttribute("aria-selected", "false");
      option.setAttribute("data-token", person.token);
      var name = document.createElement("span");
      name.className = "people-name";
      name.dir = "auto";
      name.textContent = person.name;
      option.appendChild(name);
      if (person.organization) {
        var org = document.createElement("span");
        org.className = "people-org";
        org.dir = "auto";
        org.textContent = " " + person.organization;
        option.appendChild(org);
      }
      list.appendChild(option);
    });
    list.hidden = people.length === 0;
    if (people.length) { setActive(box, options(list)[0]); }
    announce(people.length === 0 ? "" : people.length === 1 ? "1 person suggested" : people.length + " people suggested");
  }

  function ask(box) {
    var found = typed(box);
    if (!found) { close(box); return; }
    var number = ++asked;
    var url = box.getAttribute("data-mentions-url") + "?q=" + encodeURIComponent(found.text);
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : { results: [] }; })
      .then(function (data) {
        if (number !== asked || document.activeElement !== box) { return; }
        show(box, data.results || []);
      })
      .catch(function () { close(box); });
  }

  function pick(box, option) {
    var found = typed(box);
    if (!found) { close(box); return; }
    var token = option.getAttribute("data-token");
    var after = box.value.slice(box.selectionStart);
    var before = box.value.slice(0, found.start) + token + " ";
    box.value = before + after.replace(/^ /, "");
    box.setSelectionRange(before.length, before.length);
    close(box);
    box.focus();
    announce(option.textContent.replace(/\s+/g, " ").trim() + " ✓");
  }

  function onKey(event) {
    var box = event.target, list = listOf(box);
    if (list.hidden) { return; }
    var all = options(list), current = all.indexOf(list.querySelector('[aria-selected="true"]'));
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      var next = event.key === "ArrowDown" ? current + 1 : current - 1;
      if (next >= all.length) { next = 0; }
      if (next < 0) { next = all.length - 1; }
      setActive(box, all[next]);
    } else if ((event.key === "Enter" || event.key === "Tab") && current >= 0) {
      event.preventDefault();  // pick, do not submit or leave
      pick(box, all[current]);
    } else if (event.key === "Escape") {
      event.preventDefault();
      close(box);
    }
  }

  function enhance(box) {
    if (box.getAttribute("data-mentions-ready")) { return; }
    box.setAttribute("data-mentions-ready", "1");
    // A textarea keeps its textbox role (a combobox cannot be multi-line), which
    // takes aria-autocomplete and aria-activedescendant but not aria-expanded.
    box.setAttribute("aria-autocomplete", "list");
    box.setAttribute("aria-controls", box.id + "-suggestions");
    box.addEventListener("keydown", onKey);
    box.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(function () { ask(box); }, 150);
    });
    box.addEventListener("blur", function () {
      window.setTimeout(function () { if (document.activeElement !== box) { close(box); } }, 150);
    });
    listOf(box).addEventListener("mousedown", function (event) {
      var option = event.target.closest('[role="option"]');
      if (!option) { return; }
      event.preventDefault();  // keep the focus (and the caret) in the box
      pick(box, option);
    });
  }

  function start() {
    Array.prototype.forEach.call(document.querySelectorAll("textarea[data-mentions-url]"), enhance);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
