// The discovery map: candidate clusters of a region as outlines and centre markers over the
// region outlines and labels (mapkit.js), drawn from the platform's own data (no tiles needed).
(function () {
  "use strict";

  const { escapeHtml, mapElement, createMap, centre, drawRegions } = window.PromMap;

  async function discoveryMap(id) {
    const el = mapElement(id);
    if (!el) return;
    const map = createMap(el);
    const shapes = JSON.parse(el.dataset.shapes || "[]");
    map.setView(centre(el), 6);
    const regions = await drawRegions(map, el);
    const group = L.featureGroup().addTo(map);
    shapes.forEach((s) => {
      const existing = s.existing.length > 0;
      const color = existing ? "#1f4e79" : "#c0392b";
      const text = "№" + s.number + " " + escapeHtml(s.name) + "<br><small>предприятий: " + s.firms +
        (existing ? "<br>уже есть кластер: " + escapeHtml(s.existing.join(", ")) : "") + "</small>";
      L.polygon(s.outline, { color: color, weight: 2, fillOpacity: 0.15, className: "candidate-outline" })
        .bindPopup(text).addTo(group);
      L.circleMarker(s.centre, { radius: 6, color: "#fff", weight: 2, fillColor: color, fillOpacity: 0.9,
        className: "candidate-centre" }).bindTooltip("№" + s.number + " " + escapeHtml(s.name)).addTo(group);
    });
    if (shapes.length) {
      map.fitBounds(group.getBounds().pad(0.3), { maxZoom: 10, animate: false });
    } else if (regions.focus) {
      map.fitBounds(regions.focus, { animate: false });
    }
    regions.refresh();
    el.dataset.candidates = String(shapes.length);
    el.classList.add("map-ready");
  }

  document.addEventListener("DOMContentLoaded", () => discoveryMap("discovery-map"));
})();
