/* openbid's one script: tables that fit a phone, and job progress that updates itself.
 * Every page works without it.
 *
 * Each cell of a data table (table.grid) is given its column's header as data-label, so on a
 * narrow screen openbid.css lays each row out as a card ("Nilai akhir 82.91") instead of a
 * table wider than the phone. The table keeps its table roles for screen readers, which a
 * CSS display change would otherwise drop. A table still wider than its box (no header to
 * reflow by) scrolls inside itself and can be scrolled with the keyboard.
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

  Array.prototype.forEach.call(document.querySelectorAll("[data-poll]"), poll);
  Array.prototype.forEach.call(document.querySelectorAll("table.grid"), label);
  keyboardScroll();
  window.addEventListener("resize", keyboardScroll);
})();
