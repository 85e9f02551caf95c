// Sortable tables: a click on a header of `table.sortable` orders the rows by that column
// (cells' data-value, numbers when the header says data-type="number"); a second click reverses.
document.addEventListener("DOMContentLoaded", () => {
  for (const table of document.querySelectorAll("table.sortable")) {
    table.querySelectorAll("thead th").forEach((th, column) => {
      th.classList.add("sortable-header");
      th.addEventListener("click", () => {
        const numeric = th.dataset.type === "number";
        const descending = th.dataset.order !== "desc";
        table.querySelectorAll("thead th").forEach((h) => delete h.dataset.order);
        th.dataset.order = descending ? "desc" : "asc";
        const body = table.tBodies[0];
        const key = (row) => {
          const cell = row.cells[column];
          const raw = cell.dataset.value ?? cell.textContent.trim();
          return numeric ? parseFloat(raw) : raw;
        };
        const rows = Array.from(body.rows).sort((a, b) => {
          const x = key(a), y = key(b);
          const order = numeric ? x - y : String(x).localeCompare(String(y), "ru");
          return descending ? -order : order;
        });
        body.append(...rows);
      });
    });
  }
});
