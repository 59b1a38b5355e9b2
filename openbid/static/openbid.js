/* openbid's one script: tables that fit a phone. Every page works without it.
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

  Array.prototype.forEach.call(document.querySelectorAll("table.grid"), label);
  keyboardScroll();
  window.addEventListener("resize", keyboardScroll);
})();
