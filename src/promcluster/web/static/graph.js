// The supply graph of a cluster, drawn with Cytoscape served by the platform itself.
// The cluster page loads the graph fragment by HTMX; the fragment includes this file, which
// loads cytoscape.min.js once and draws every [data-supply-graph] element not drawn yet (again
// after each later swap, when the fragment re-runs this file).
(function () {
  "use strict";
  if (window.promclusterGraph) {
    window.promclusterGraph.drawAll();
    return;
  }
  const LIBRARY = "/static/vendor/cytoscape/cytoscape.min.js";
  const COLORS = { member: "#1f7a3a", applicant: "#d08a00", potential: "#6b7c93", left: "#999" };
  let loading = null;

  function library() {
    if (window.cytoscape) return Promise.resolve(window.cytoscape);
    if (!loading) {
      loading = new Promise((resolve, reject) => {
        const script = document.createElement("script");
        script.src = LIBRARY;
        script.onload = () => resolve(window.cytoscape);
        script.onerror = () => reject(new Error("не удалось загрузить " + LIBRARY));
        document.head.appendChild(script);
      });
    }
    return loading;
  }

  function elementsOf(data) {
    const width = (v) => (v && data.max_value ? 1.5 + 8.5 * Math.sqrt(v / data.max_value) : 1.5);
    const nodes = data.nodes.map((n) => ({
      data: { id: "n" + n.id, enterprise: n.id, label: n.name, status: n.status,
              shape: n.shape, participant: n.participant ? "yes" : "no" },
    }));
    const edges = data.edges.map((e, i) => ({
      data: { id: "e" + i, source: "n" + e.source, target: "n" + e.target,
              label: e.product, width: width(e.value) },
    }));
    return nodes.concat(edges);
  }

  function style() {
    const rules = [
      { selector: "node", style: {
        "shape": "data(shape)", "background-color": "#6b7c93", "width": 26, "height": 26,
        "label": "data(label)", "font-size": 10, "text-valign": "bottom", "text-margin-y": 4,
        "text-wrap": "ellipsis", "text-max-width": "140px", "color": "#1b2733",
        "border-width": 2, "border-color": "#fff" } },
      { selector: 'node[participant = "no"]', style: { "border-style": "dashed", "border-color": "#555" } },
      { selector: "edge", style: {
        "width": "data(width)", "line-color": "#8fa3b8", "target-arrow-color": "#8fa3b8",
        "target-arrow-shape": "triangle", "curve-style": "bezier", "opacity": 0.85 } },
      { selector: "edge:selected", style: { "label": "data(label)", "font-size": 9, "line-color": "#1f4e79" } },
      { selector: "node:selected", style: { "border-color": "#1f4e79", "border-width": 3 } },
    ];
    Object.keys(COLORS).forEach((status) => rules.push({
      selector: 'node[status = "' + status + '"]', style: { "background-color": COLORS[status] } }));
    return rules;
  }

  function draw(el) {
    if (el.dataset.drawn) return;
    el.dataset.drawn = "pending";
    const data = JSON.parse(el.dataset.elements || '{"nodes": [], "edges": []}');
    library().then((cytoscape) => {
      const many = data.nodes.length > 300;
      const layout = !data.edges.length ? { name: "grid", avoidOverlap: true }
        : many ? { name: "concentric", minNodeSpacing: 8 } : { name: "cose", animate: false, randomize: false };
      const cy = cytoscape({ container: el, elements: elementsOf(data), style: style(), layout: layout,
                             minZoom: 0.1, maxZoom: 4 });
      cy.on("tap", "node", (event) => {
        window.location.href = "/enterprises/" + event.target.data("enterprise");
      });
      cy.on("mouseover", "node", () => { el.style.cursor = "pointer"; });
      cy.on("mouseout", "node", () => { el.style.cursor = ""; });
      if (cy.zoom() > 1.5) {  // a lone node or two would fill the box
        cy.zoom(1.5);
        cy.center();
      }
      el.cy = cy;
      el.dataset.nodes = String(cy.nodes().length);
      el.dataset.edges = String(cy.edges().length);
      el.dataset.drawn = "yes";
    }).catch((error) => {
      el.dataset.drawn = "failed";
      el.classList.add("graph-failed");
      el.textContent = "Схема не отрисована (" + error.message + "); список поставок — ниже.";
    });
  }

  function drawAll() {
    document.querySelectorAll("[data-supply-graph]").forEach(draw);
  }

  window.promclusterGraph = { drawAll: drawAll, library: library };
  document.addEventListener("htmx:afterSettle", drawAll);
  drawAll();
})();
