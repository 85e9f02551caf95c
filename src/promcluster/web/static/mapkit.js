// What every map script of the platform shares (map.js, discovery.js, indicators.js): finding the
// map element, the Leaflet map with the tile layer named by its data attributes, the region
// outlines, and HTML escaping for popups, tooltips and labels. Loaded before them, from a file
// (the Content-Security-Policy allows no inline script).
(function () {
  "use strict";

  // Text made safe to put into Leaflet's HTML (popups, tooltips, div icons).
  function escapeHtml(text) {
    const d = document.createElement("div");
    d.textContent = text == null ? "" : String(text);
    return d.innerHTML;
  }

  // The element with this id, or null when it is absent or Leaflet did not load.
  function mapElement(id) {
    const el = document.getElementById(id);
    return el && typeof L !== "undefined" ? el : null;
  }

  // A Leaflet map on `el`, with the tiles of data-tiles (none when empty) credited by
  // data-attribution.
  function createMap(el) {
    const map = L.map(el);
    if (el.dataset.tiles) {
      L.tileLayer(el.dataset.tiles, { maxZoom: 18, attribution: el.dataset.attribution || "" }).addTo(map);
    }
    return map;
  }

  // The element's data-center ("lat,lon") as a Leaflet point.
  function centre(el) {
    return el.dataset.center.split(",").map(Number);
  }

  // The GeoJSON outlines of the regions, served by the platform.
  function regionOutlines() {
    return fetch("/map/regions.geojson").then((r) => r.json());
  }

  window.PromMap = { escapeHtml, mapElement, createMap, centre, regionOutlines };
})();
