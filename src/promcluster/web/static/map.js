// Maps of the platform, drawn with Leaflet served by the platform itself.
// Points, region outlines and labels come from our own data, so they show even when tiles cannot
// load (closed networks): mapkit.js draws the outlines and labels for every map.
(function () {
  "use strict";
  const COLORS = { member: "#1f7a3a", applicant: "#d08a00", potential: "#6b7c93", left: "#999",
                   cluster: "#1f4e79", enterprise: "#c0392b" };
  const { escapeHtml, mapElement, createMap, centre, drawRegions } = window.PromMap;
  const regionLabel = window.PromMap.label;

  // A map with its tiles, marked ready at once: its own points need no tiles to show.
  function baseMap(el) {
    const map = createMap(el);
    el.classList.add("map-ready");
    return map;
  }

  // Points that share a place (e.g. a region's centre) are spread on a small spiral so each
  // stays visible and clickable; returns copies with adjusted lat/lon.
  function spread(points, step) {
    const seen = {};
    return points.map((p) => {
      const key = p.lat.toFixed(4) + "," + p.lon.toFixed(4);
      const n = (seen[key] = (seen[key] || 0) + 1) - 1;
      const angle = n * 2.4, r = n ? step * Math.sqrt(n) : 0;
      return Object.assign({}, p, { lat: p.lat + r * Math.sin(angle), lon: p.lon + r * Math.cos(angle) });
    });
  }

  function marker(p, color) {
    const approx = p.precision && p.precision !== "exact";
    return L.circleMarker([p.lat, p.lon], {
      radius: 7, color: approx ? "#555" : color, weight: approx ? 1.5 : 2,
      dashArray: approx ? "3 3" : null, fillColor: color, fillOpacity: 0.85,
      className: "pc-marker",
    });
  }

  // A small map of enterprises (cluster members, a region's firms, one card) over the outlines of
  // its regions (data-regions) and their neighbours, with region and city names: once the
  // outlines arrive the view takes in the regions in focus and every point.
  function pointsMap(id) {
    const el = mapElement(id);
    if (!el) return null;
    const points = JSON.parse(el.dataset.points || "[]");
    const map = baseMap(el);
    const group = L.featureGroup().addTo(map);
    spread(points, 0.02).forEach((p) => {
      marker(p, COLORS[p.status] || COLORS.enterprise)
        .bindPopup('<a href="/enterprises/' + p.id + '">' + escapeHtml(p.name) + "</a>" +
                   (p.precision === "region" ? "<br><small>центр региона (адрес не указан)</small>" : ""))
        .bindTooltip(escapeHtml(p.name))
        .addTo(group);
    });
    if (points.length) {
      map.fitBounds(group.getBounds().pad(0.5), { maxZoom: 9 });
    } else if (el.dataset.center) {
      map.setView(centre(el), 6);
    } else {
      map.setView([61, 90], 3);
    }
    drawRegions(map, el).then((regions) => {
      if (regions.focus) {
        const view = L.latLngBounds(regions.focus);
        if (points.length) view.extend(group.getBounds());
        map.fitBounds(view.pad(0.05), { maxZoom: 9, animate: false });
      }
      regions.refresh();
      el.classList.add("regions-ready");
    });
    return map;
  }

  // The overview map: region outlines and labels, clusters and enterprises from the API.
  async function overviewMap(id) {
    const el = mapElement(id);
    if (!el) return null;
    const map = baseMap(el);
    map.setView([60, 80], 3);
    const labels = JSON.parse(el.dataset.labels || "[]");
    const [, features] = await Promise.all([
      drawRegions(map, el, { labels: false }),
      fetch("/api/v1/map").then((r) => r.json()),
    ]);
    const label = (r) => regionLabel(r.lat, r.lon, r.name);
    // Regions with clusters are always labelled; the rest appear when zoomed in.
    L.layerGroup(labels.filter((r) => r.clusters).map(label)).addTo(map);
    const labelLayer = L.layerGroup(labels.filter((r) => !r.clusters).map(label));
    const toggleLabels = () => (map.getZoom() >= 4 ? labelLayer.addTo(map) : labelLayer.remove());
    map.on("zoomend", toggleLabels);
    toggleLabels();
    const enterprises = L.featureGroup(), clusters = L.featureGroup();
    const located = features.features.map((f) => Object.assign(
      { lat: f.geometry.coordinates[1], lon: f.geometry.coordinates[0] }, f.properties));
    const byKind = (kind, step) => spread(located.filter((p) => p.kind === kind), step);
    [...byKind("cluster", 0.9), ...byKind("enterprise", 0.35)].forEach((p) => {
      if (p.kind === "cluster") {
        L.circleMarker([p.lat, p.lon], { radius: 9 + Math.min(12, 2 * Math.sqrt(p.members || 0)),
          color: "#fff", weight: 2, fillColor: COLORS.cluster, fillOpacity: 0.9, className: "pc-marker pc-cluster" })
          .bindPopup('<a href="/clusters/' + p.id + '">' + escapeHtml(p.name) + "</a><br><small>" +
                     escapeHtml((p.regions || []).join(", ")) + "</small>")
          .bindTooltip(escapeHtml(p.name)).addTo(clusters);
      } else {
        marker(p, COLORS.enterprise)
          .bindPopup('<a href="/enterprises/' + p.id + '">' + escapeHtml(p.name) + "</a>")
          .bindTooltip(escapeHtml(p.name)).addTo(enterprises);
      }
    });
    enterprises.addTo(map);
    clusters.addTo(map);
    L.control.layers(null, { "Кластеры": clusters, "Предприятия": enterprises, "Подписи регионов": labelLayer }).addTo(map);
    el.dataset.markers = String(features.features.length);
    const note = document.getElementById(id + "-note");
    if (note && features.enterprises_shown < features.enterprises_total) {
      note.textContent = "Показаны " + features.enterprises_shown + " из " + features.enterprises_total +
        " предприятий (сначала участники кластеров); все предприятия региона — на странице региона.";
    }
    return map;
  }

  window.promcluster = { pointsMap: pointsMap, overviewMap: overviewMap };

  // Every element with data-map-kind="points" or "overview" becomes its map once the page is
  // parsed (no inline script: the Content-Security-Policy allows scripts from files only).
  document.addEventListener("DOMContentLoaded", () => {
    document.querySelectorAll("[data-map-kind]").forEach((el) => {
      if (el.dataset.mapKind === "overview") overviewMap(el.id);
      else if (el.dataset.mapKind === "points") pointsMap(el.id);
    });
  });
})();
