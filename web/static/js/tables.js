// On a phone a data table becomes a stack of cards (app.css, max-width 640px); each cell is
// labelled with its column's header, copied here from the table's own (translated) <th>s so the
// templates keep one source for the words.
document.addEventListener("DOMContentLoaded", () => {
  for (const table of document.querySelectorAll("table.table")) {
    const headers = Array.from(table.querySelectorAll("thead th"), (th) =>
      th.querySelector(".sr-only") ? "" : th.textContent.trim());
    for (const row of table.querySelectorAll("tbody tr")) {
      Array.from(row.children).forEach((cell, i) => {
        if (headers[i] && !cell.hasAttribute("data-label")) cell.setAttribute("data-label", headers[i]);
      });
    }
  }
});
