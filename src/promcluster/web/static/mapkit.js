// What every map script of the platform shares (map.js, discovery.js, indicators.js): finding the
// map element, the Leaflet map with the tile layer named by its data attributes, the region
// outlines and labels drawn from the platform's own data (so that a map reads without tiles), and
// HTML escaping for popups, tooltips and labels. Loaded before them, from a file (the
// Content-Security-Policy allows no inline script).
(function () {
  "use strict";

  const FOCUS = { color: "#1f4e79", weight: 1.6, fillColor: "#dce7f3", fillOpacity: 0.55 };
  const NEIGHBOUR = { color: "#8a9bb0", weight: 0.8, fillColor: "#f3f5f8", fillOpacity: 0.45 };

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
  // data-attribution, and two panes of its own: region outlines under every other shape, labels
  // over the shapes and under the markers' popups.
  function createMap(el) {
    const map = L.map(el);
    map.createPane("regions").style.zIndex = 350;
    const labels = map.createPane("labels");
    labels.style.zIndex = 450;
    labels.style.pointerEvents = "none";
    if (el.dataset.tiles) {
      L.tileLayer(el.dataset.tiles, { maxZoom: 18, attribution: el.dataset.attribution || "" }).addTo(map);
    }
    return map;
  }

  // The element's data-center ("lat,lon") as a Leaflet point.
  function centre(el) {
    return el.dataset.center.split(",").map(Number);
  }

  // A text label on the map at [lat, lon] (class region-label, plus `kind`: "city", "focus" …).
  function label(lat, lon, name, kind) {
    return L.marker([lat, lon], {
      pane: "labels", interactive: false, keyboard: false,
      icon: L.divIcon({ className: "region-label" + (kind ? " " + kind : ""), html: escapeHtml(name), iconSize: null }),
    });
  }

  // Hide the labels of `layer` that would overlap one shown before them (the server sends them
  // by importance: regions in focus, their cities, neighbours) or be cut by the map's edge; run
  // again after every zoom and pan.
  function declutter(map, layer) {
    const frame = map.getContainer().getBoundingClientRect();
    const shown = [];
    layer.eachLayer((m) => {
      const el = m.getElement();
      if (!el) return;
      el.classList.remove("label-hidden");
      const box = el.getBoundingClientRect();
      const cut = box.left < frame.left || box.right > frame.right || box.top < frame.top || box.bottom > frame.bottom;
      const clash = shown.some((b) => box.left < b.right && b.left < box.right && box.top < b.bottom && b.top < box.bottom);
      if (cut || clash) el.classList.add("label-hidden");
      else shown.push(box);
    });
  }

  // The region outlines and labels of a map, from /map/outlines.geojson (reference/outlines.py):
  // the regions of el's data-regions ("72" or "47,78") highlighted, their neighbours light, the
  // names of the regions and of the largest cities in focus; every region, coarser, when
  // data-regions is empty. `options`: style (a function of a feature, replacing the focus /
  // neighbour look), onEachFeature (replacing the name tooltip), labels (false: none). Resolves
  // to { outlines, labels, focus, refresh }: focus the bounds of the regions in focus (or null),
  // refresh() hides colliding labels (call it once the view is set; it runs after every move).
  // Sets el's data-outlines (outlines drawn) and data-labels-shown (labels left visible).
  async function drawRegions(map, el, options) {
    const opts = options || {};
    const focus = (el.dataset.regions || "").split(",").filter(Boolean);
    const query = focus.map((c) => "focus=" + encodeURIComponent(c)).join("&");
    const response = await fetch("/map/outlines.geojson" + (query ? "?" + query : ""));
    const data = await response.json();
    const shapes = data.features.filter((f) => f.geometry.type !== "Point");
    const outlines = L.geoJSON({ type: "FeatureCollection", features: shapes }, {
      pane: "regions",
      style: (f) => Object.assign(
        { className: "region-outline" + (f.properties.focus ? " focus" : "") },
        opts.style ? opts.style(f) : (f.properties.focus ? FOCUS : NEIGHBOUR)),
      onEachFeature: opts.onEachFeature ||
        ((f, layer) => layer.bindTooltip(escapeHtml(f.properties.name), { sticky: true })),
    }).addTo(map);
    const labels = L.layerGroup();
    if (opts.labels !== false) {
      data.features.filter((f) => f.geometry.type === "Point").forEach((f) => {
        const [lon, lat] = f.geometry.coordinates, p = f.properties;
        label(lat, lon, p.name, p.label === "city" ? "city" : (p.focus ? "focus" : "")).addTo(labels);
      });
      labels.addTo(map);
    }
    // Labels that fit without overlapping; counted in data-labels-shown for the tests.
    const refresh = () => {
      declutter(map, labels);
      el.dataset.labelsShown = String(el.querySelectorAll(".region-label:not(.label-hidden)").length);
    };
    map.on("zoomend moveend", refresh);
    const focused = L.featureGroup();
    outlines.eachLayer((l) => { if (l.feature.properties.focus) focused.addLayer(l); });
    el.dataset.outlines = String(shapes.length);
    return { outlines, labels, refresh, focus: focused.getLayers().length ? focused.getBounds() : null };
  }

  window.PromMap = { escapeHtml, mapElement, createMap, centre, label, drawRegions };
})();
