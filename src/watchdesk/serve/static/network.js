/* The entity network, drawn with the vendored cytoscape.js (no network access needed). */
(function () {
  "use strict";
  var COLOURS = {PERSON: "#c2410c", ORG: "#1d4ed8", GPE: "#047857", LOC: "#0f766e", NORP: "#7e22ce",
    FAC: "#a16207", EVENT: "#be123c", PRODUCT: "#4d7c0f", WORK_OF_ART: "#9d174d", LAW: "#475569",
    LANGUAGE: "#0369a1", NAME: "#b45309"};
  function colour(label) { return COLOURS[label] || "#57534e"; }

  function fmt(n) { return Number(n).toLocaleString("en-GB"); }
  function line(parent, parts) {
    var p = document.createElement("p");
    parts.forEach(function (part) {
      if (typeof part === "string") { p.appendChild(document.createTextNode(part)); return; }
      var b = document.createElement("b"); b.textContent = part.b; p.appendChild(b);
    });
    parent.appendChild(p);
    return p;
  }

  /* What is drawn, what is left out and why, and a way to draw everything. */
  function describe(status, data, showAll) {
    status.textContent = "";
    if (!data.nodes.length) { line(status, ["No entity matches these filters."]); }
    else {
      line(status, [{b: fmt(data.shown.nodes)}, " of " + fmt(data.total.nodes) + " entities and ",
        {b: fmt(data.shown.edges)}, " of " + fmt(data.total.edges) + " links drawn."]).className = "counts-line";
    }
    var hiddenNodes = data.total.nodes - data.shown.nodes, hiddenEdges = data.total.edges - data.shown.edges;
    var why = line(status, [data.auto ? "Minimum weight " : "Minimum weight ", {b: String(data.min_weight)},
      data.auto ? " (chosen so the drawing stays readable): links named in fewer stories are hidden."
        : (data.min_weight > 1 ? ": links named in fewer stories are hidden." : ": every link counts.")]);
    why.className = "why";
    if (hiddenNodes > 0 || hiddenEdges > 0) {
      var hidden = line(status, ["Hidden: " + fmt(hiddenNodes) + " entities, " + fmt(hiddenEdges) + " links"
        + (data.pool < data.total.nodes ? " (links counted among the " + fmt(data.pool) + " most mentioned)" : "") + "."]);
      hidden.className = "hidden-count";
      if (showAll) {
        var a = document.createElement("a");
        a.href = showAll; a.id = "show-all"; a.textContent = "Draw every link (weight 1, up to 500 entities)";
        var p = document.createElement("p"); p.appendChild(a); status.appendChild(p);
      }
    }
    var input = document.getElementById("min-weight");
    if (input && data.auto) { input.placeholder = "auto (" + data.min_weight + ")"; }
  }

  function draw(container, params, status, mini) {
    if (typeof cytoscape === "undefined") { if (status) status.textContent = "Graph library missing."; return; }
    var query = new URLSearchParams();
    Object.keys(params).forEach(function (k) { if (params[k]) query.set(k, params[k]); });
    fetch("/api/graph?" + query.toString(), {headers: {"Accept": "application/json"}})
      .then(function (r) { if (!r.ok) throw new Error("HTTP " + r.status); return r.json(); })
      .then(function (data) {
        var maxMentions = 1, maxWeight = 1;
        data.nodes.forEach(function (n) { maxMentions = Math.max(maxMentions, n.mentions); });
        data.edges.forEach(function (e) { maxWeight = Math.max(maxWeight, e.weight); });
        var labelled = {};
        data.nodes.slice().sort(function (a, b) { return b.mentions - a.mentions; })
          .slice(0, mini ? 10 : 45).forEach(function (n) { labelled[n.id] = true; });
        var elements = data.nodes.map(function (n) {
          return {data: {id: n.id, name: n.name, shown: (labelled[n.id] || n.id === params.center) ? n.name : "", label: n.label, mentions: n.mentions,
            size: (mini ? 12 : 16) + (mini ? 22 : 44) * Math.sqrt(n.mentions / maxMentions),
            colour: colour(n.label), center: n.id === params.center ? 1 : 0}};
        }).concat(data.edges.map(function (e, i) {
          return {data: {id: "e" + i, source: e.source, target: e.target, weight: e.weight,
            width: 1 + 7 * (e.weight / maxWeight), related: e.relations.length ? 1 : 0,
            title: e.relations.map(function (r) { return r.relation; }).join(", ")}};
        }));
        var cy = cytoscape({
          container: container, elements: elements, wheelSensitivity: 0.3, minZoom: 0.2, maxZoom: 3,
          style: [
            {selector: "node", style: {"background-color": "data(colour)", "width": "data(size)", "height": "data(size)",
              "label": "data(shown)", "font-family": "system-ui, DejaVu Sans, sans-serif", "font-size": mini ? 9 : 11,
              "color": "#1c1917", "text-valign": "bottom", "text-margin-y": 3, "text-outline-color": "#fff",
              "text-outline-width": 2, "border-width": 1.5, "border-color": "#fff"}},
            {selector: "node[center = 1]", style: {"border-width": 4, "border-color": "#1c1917", "font-weight": "bold"}},
            {selector: "edge", style: {"width": "data(width)", "line-color": "#d6d3d1", "curve-style": "haystack", "opacity": 0.8}},
            {selector: "edge[related = 1]", style: {"line-color": "#57534e", "curve-style": "bezier"}},
            {selector: "node:selected", style: {"border-color": "#b91c1c", "border-width": 4}},
            {selector: ".faded", style: {"opacity": 0.15}},
            {selector: "node.hover", style: {"label": "data(name)", "z-index": 99}}
          ],
          layout: {name: data.nodes.length > 1 ? "cose" : "grid", animate: false, randomize: true,
            nodeRepulsion: function () { return mini ? 40000 : 120000; }, idealEdgeLength: function () { return mini ? 60 : 110; },
            nodeOverlap: 40, componentSpacing: 60, gravity: 0.6, numIter: 1500, padding: 24}
        });
        var zoom = cy.zoom();  // a graph fitted to the box is zoomed out: keep the names readable
        if (zoom < 1) { cy.style().selector("node").style("font-size", Math.min(mini ? 14 : 20, (mini ? 9 : 11) / zoom)).update(); }
        cy.on("tap", "node", function (evt) {
          window.location.href = "/entity/" + encodeURIComponent(evt.target.id());
        });
        cy.on("mouseover", "node", function (evt) {
          var hood = evt.target.closedNeighborhood();
          cy.elements().not(hood).addClass("faded");
          evt.target.addClass("hover");
          container.style.cursor = "pointer";
        });
        cy.on("mouseout", "node", function () { cy.elements().removeClass("faded hover"); container.style.cursor = ""; });
        container.setAttribute("data-ready", "1");
        window.watchdeskGraphs = window.watchdeskGraphs || {};
        window.watchdeskGraphs[container.id] = cy;
        if (status) { describe(status, data, container.dataset.showAll); }
      })
      .catch(function (err) { if (status) status.textContent = "Could not load the graph: " + err.message; });
  }

  var full = document.getElementById("graph");
  if (full) {
    draw(full, {type: full.dataset.type, min_weight: full.dataset.minWeight, from: full.dataset.from,
      to: full.dataset.to, center: full.dataset.center, max_nodes: full.dataset.maxNodes},
      document.getElementById("graph-status"), false);
  }
  var mini = document.getElementById("mini-graph");
  if (mini) { draw(mini, {center: mini.dataset.center, max_nodes: "16"}, null, true); }
})();
