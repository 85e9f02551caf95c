// Choropleth maps of regions (the ratings and statistics pages: every element with
// data-choropleth; colours and values computed by the server)
// and the form that re-ranks as soon as the indicator or the level changes.
(function () {
  "use strict";

  const { escapeHtml, mapElement, createMap, drawRegions } = window.PromMap;

  async function choropleth(id) {
    const el = mapElement(id);
    if (!el) return;
    const data = JSON.parse(el.dataset.map || "{}");
    const noData = el.dataset.noData;
    const map = createMap(el);
    map.setView([62, 90], 2);
    let coloured = 0;
    const regions = await drawRegions(map, el, {
      style: (f) => {
        const fill = data.colours[f.properties.code] || noData;
        if (fill !== noData) coloured += 1;
        return { color: "#6b7c93", weight: 0.6, fillColor: fill, fillOpacity: 0.85 };
      },
      onEachFeature: (f, l) => {
        const value = data.values[f.properties.code];
        l.bindTooltip(escapeHtml(f.properties.name) + ": " + escapeHtml(value || "нет данных"), { sticky: true });
        if (value !== undefined) l.on("click", () => { window.location = "/regions/" + f.properties.code; });
      },
    });
    // Russia spans the antimeridian (Chukotka, drawn on past 180°): fit the country.
    map.fitBounds([[41, 19], [78, 190]], { animate: false });
    regions.refresh();
    el.classList.add("map-ready");
    el.dataset.coloured = String(coloured);
  }

  document.addEventListener("DOMContentLoaded", () => {
    const form = document.getElementById("rating-form");
    if (form) {
      ["rating-indicator", "rating-level"].forEach((id) => {
        const select = document.getElementById(id);
        if (select) select.addEventListener("change", () => form.submit());
      });
    }
    document.querySelectorAll("[data-choropleth]").forEach((el) => choropleth(el.id));
  });
})();
