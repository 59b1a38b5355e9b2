/* openbid's one script: tables that fit a phone, the error summary, busy buttons, and job
 * progress that updates itself. Every page works without it.
 *
 * Each cell of a data table (table.grid) is given its column's header as data-label, so on a
 * narrow screen openbid.css lays each row out as a card ("Nilai akhir 82.91") instead of a
 * table wider than the phone. The table keeps its table roles for screen readers, which a
 * CSS display change would otherwise drop. A table still wider than its box (no header to
 * reflow by) scrolls inside itself and can be scrolled with the keyboard.
 *
 * A page that failed validation opens with its error summary focused (a screen reader reads
 * it); following one of its links focuses the field, opening the folded section it sits in.
 *
 * A submitted form's buttons disable themselves and say they are working, so a second click
 * cannot send it twice; a long step (a form marked data-long, or a stage's closing step)
 * also shows a progress bar and the seconds spent. Back from the next page, or after a
 * download that leaves the page where it is, the buttons come back.
 *
 * A "choose all" checkbox (data-select-all) ticks every choice of a bulk form at once.
 */
(function () {
  "use strict";

  function headers(table) {
    var row = table.tHead && table.tHead.rows[0];
    var names = [];
    if (!row) { return names; }
    Array.prototype.forEach.call(row.cells, function (cell) {
      var span = cell.colSpan || 1;
      for (var i = 0; i < span; i += 1) { names.push(cell.textContent.trim()); }
    });
    return names;
  }

  function label(table) {
    var names = headers(table);
    if (!names.length) { return; }
    table.setAttribute("role", "table");
    Array.prototype.forEach.call(table.querySelectorAll("thead, tbody, tfoot"), function (group) {
      group.setAttribute("role", "rowgroup");
    });
    Array.prototype.forEach.call(table.rows, function (row) {
      row.setAttribute("role", "row");
      var column = 0;
      Array.prototype.forEach.call(row.cells, function (cell) {
        var span = cell.colSpan || 1;
        var inHead = cell.parentNode.parentNode.tagName === "THEAD";
        cell.setAttribute("role", inHead ? "columnheader" : (cell.tagName === "TH" ? "rowheader" : "cell"));
        // A row's heading cell (its first th) names the row; it needs no column label.
        var rowHeading = cell.tagName === "TH" && cell === row.cells[0];
        if (!inHead && !rowHeading && span === 1 && names[column]) {
          cell.setAttribute("data-label", names[column]);
        }
        column += span;
      });
    });
    table.classList.add("reflow");
  }

  function keyboardScroll() {
    Array.prototype.forEach.call(document.querySelectorAll("table.grid, .table-scroll"), function (box) {
      if (box.scrollWidth > box.clientWidth + 1) {
        box.setAttribute("tabindex", "0");
      } else if (box.getAttribute("tabindex") === "0") {
        box.removeAttribute("tabindex");
      }
    });
  }

  // The element a summary link points at: the field itself, or the first field inside it
  // (an invalid one first) when the target is a section or a row.
  function fieldOf(target) {
    if (target.matches("input, select, textarea, button")) { return target; }
    return target.querySelector(".invalid input, .invalid select, .invalid textarea, " +
      "input.invalid, select.invalid, textarea.invalid") ||
      target.querySelector("input:not([type=hidden]), select, textarea") || target;
  }

  function openFolds(element) {
    for (var node = element.parentNode; node; node = node.parentNode) {
      if (node.tagName === "DETAILS") { node.open = true; }
    }
  }

  function errorSummary() {
    var summary = document.querySelector("[data-error-summary]");
    if (!summary) { return; }
    summary.focus();
    summary.addEventListener("click", function (event) {
      var link = event.target.closest("a[href^='#']");
      if (!link) { return; }
      var target = document.getElementById(decodeURIComponent(link.hash.slice(1)));
      if (!target) { return; }
      event.preventDefault();
      var field = fieldOf(target);
      openFolds(field);
      // Show the field's label too: scroll the label (or the field) to the top, then focus.
      var labelled = (field.id && document.querySelector("label[for='" + field.id + "']")) || field;
      labelled.scrollIntoView({block: "start"});
      if (!field.hasAttribute("tabindex") && !field.matches("input, select, textarea, button, a")) {
        field.setAttribute("tabindex", "-1");
      }
      field.focus({preventScroll: true});
      if (window.history && history.replaceState) { history.replaceState(null, "", link.hash); }
    });
  }

  // A download leaves the page where it is: give the buttons back after a while (a long step
  // later, so its buttons do not come back while it still runs).
  var BUSY_RESTORE_MS = 20000;
  var LONG_RESTORE_MS = 60000;
  var busy = [];

  function restore() {
    busy.forEach(function (entry) {
      entry.button.disabled = entry.disabled;
      entry.button.removeAttribute("aria-disabled");
      if (entry.label !== null) { entry.button.textContent = entry.label; }
      if (entry.value !== null) { entry.button.value = entry.value; }
      entry.form.removeAttribute("aria-busy");
      entry.form.removeAttribute("data-busy");
      var note = entry.form.querySelector(".busy-progress");
      if (note) { note.parentNode.removeChild(note); }
    });
    busy = [];
  }

  // A long step: marked so, or any of a selection's transitions (they issue its documents).
  function isLong(form) {
    return form.hasAttribute("data-long") || form.classList.contains("stage-event") ||
      /\/events\/[^\/?#]+$/.test(form.getAttribute("action") || "");
  }

  function progress(form) {
    var note = document.createElement("div");
    note.className = "busy-progress";
    note.setAttribute("role", "status");
    var bar = document.createElement("progress");
    bar.setAttribute("aria-label", document.body.getAttribute("data-busy-label") || "");
    var text = document.createElement("span");
    text.textContent = document.body.getAttribute("data-long-label") || "";
    var seconds = document.createElement("span");
    seconds.className = "busy-seconds";
    seconds.setAttribute("aria-hidden", "true");
    note.appendChild(bar);
    note.appendChild(text);
    note.appendChild(seconds);
    form.appendChild(note);
    var started = Date.now();
    var timer = window.setInterval(function () {
      if (!note.parentNode) { window.clearInterval(timer); return; }
      seconds.textContent = " " + Math.round((Date.now() - started) / 1000) + " s";
    }, 1000);
  }

  function markBusy(form, submitter) {
    var label = document.body.getAttribute("data-busy-label") || "…";
    form.setAttribute("aria-busy", "true");
    form.setAttribute("data-busy", "");
    Array.prototype.forEach.call(form.querySelectorAll("button[type=submit], button:not([type]), input[type=submit]"), function (button) {
      var isInput = button.tagName === "INPUT";
      busy.push({form: form, button: button, disabled: button.disabled,
        label: isInput ? null : button.textContent, value: isInput ? button.value : null});
      button.disabled = true;
      button.setAttribute("aria-disabled", "true");
      if (button === submitter || !submitter) {
        if (isInput) { button.value = label; } else { button.textContent = label; }
      }
    });
    var long = isLong(form);
    if (long) { progress(form); }
    window.setTimeout(restore, long ? LONG_RESTORE_MS : BUSY_RESTORE_MS);
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.hasAttribute("data-busy")) { event.preventDefault(); return; }
    // A step that cannot be undone asks once more (the page also says so beside the button).
    var question = form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) { event.preventDefault(); return; }
    var submitter = event.submitter || null;
    // After the browser has read the form (a disabled button sends no name and value), and
    // only if no other script took the submission over.
    window.setTimeout(function () {
      if (!event.defaultPrevented) { markBusy(form, submitter); }
    }, 0);
  });
  // Back to this page from the next one: the browser may show it as it was left, busy.
  window.addEventListener("pageshow", function (event) { if (event.persisted) { restore(); } });

  /* A job's progress area (data-poll: the page that reports it) is fetched again every few
   * seconds and replaced in place, where its aria-live region announces the change, rather
   * than reloading the whole page under the reader (axe: meta-refresh; without JavaScript a
   * <noscript> refresh does it). Once the work has ended, the page is loaded again to show
   * its result everywhere (state, documents, next steps). */
  function poll(area) {
    var url = area.getAttribute("data-poll");
    window.setTimeout(function () {
      window.fetch(url, {credentials: "same-origin"}).then(function (response) {
        return response.text();
      }).then(function (html) {
        var next = new DOMParser().parseFromString(html, "text/html").getElementById(area.id);
        if (next && next.hasAttribute("data-poll")) {
          area.innerHTML = next.innerHTML;
          poll(area);
        } else if (url === window.location.pathname + window.location.search) {
          window.location.reload();
        } else {
          window.location.assign(url + "#" + area.id);
        }
      }).catch(function () { poll(area); });
    }, 3000);
  }

  /* "Choose all rule-clean applications on this page" (screening's bulk confirmation) shows
   * only with JavaScript, in place of the button that sends them all to a confirmation page.
   * It ticks every choice that belongs to its form and follows them when one is changed by
   * hand; while it is on, the form asks once more before it is sent. */
  function selectAll(box) {
    var form = box.closest("form");
    var all = box.querySelector("input[type=checkbox]");
    var selector = 'input[type=checkbox][name="' + box.getAttribute("data-select-all") + '"]';
    function picks() {
      return Array.prototype.filter.call(document.querySelectorAll(selector), function (pick) {
        return pick.form === form;
      });
    }
    function sync() {
      var list = picks();
      var on = list.filter(function (pick) { return pick.checked; }).length;
      all.checked = on > 0 && on === list.length;
      all.indeterminate = on > 0 && on < list.length;
      if (all.checked) { form.setAttribute("data-confirm", box.getAttribute("data-question")); }
      else { form.removeAttribute("data-confirm"); }
    }
    all.addEventListener("change", function () {
      picks().forEach(function (pick) { pick.checked = all.checked; });
      sync();
    });
    document.addEventListener("change", function (event) {
      if (event.target !== all && event.target.form === form) { sync(); }
    });
    Array.prototype.forEach.call(form.querySelectorAll("[data-without-js]"), function (button) {
      button.hidden = true;
    });
    box.hidden = false;
    sync();
  }

  Array.prototype.forEach.call(document.querySelectorAll("[data-select-all]"), selectAll);
  Array.prototype.forEach.call(document.querySelectorAll("[data-poll]"), poll);
  Array.prototype.forEach.call(document.querySelectorAll("table.grid"), label);
  keyboardScroll();
  window.addEventListener("resize", keyboardScroll);
  errorSummary();
})();
