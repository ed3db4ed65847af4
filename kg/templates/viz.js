/* filmkg view: builds the vis-network from the JSON in #fk-data.
   Text from the data only ever reaches the page through textContent, option.value
   and vis-network's canvas labels; tooltips are DOM elements, never HTML strings. */
"use strict";
(() => {
  const timings = { start: performance.now() };
  const data = JSON.parse(document.getElementById("fk-data").textContent);
  timings.parsed = performance.now();

  const MAX_LINKS = 12;
  const MAX_STATEMENTS = 6;
  const FONT = { color: "#222222", size: 14, face: "system-ui, sans-serif", strokeWidth: 3, strokeColor: "#ffffff" };
  const DIM_FONT = { color: "#c9c9c9", size: 14, face: "system-ui, sans-serif", strokeWidth: 0, strokeColor: "#ffffff" };
  const DIM_NODE = {
    background: "#eeeeee", border: "#d9d9d9",
    highlight: { background: "#eeeeee", border: "#d9d9d9" }, hover: { background: "#eeeeee", border: "#d9d9d9" },
  };
  const EDGE_COLOR = { color: "#9aa4ad", highlight: "#33414d", hover: "#33414d", inherit: false };
  const CONFLICT_COLOR = { color: "#c0392b", highlight: "#8e2418", hover: "#8e2418", inherit: false };
  const DIM_EDGE = { color: "rgba(190,190,190,0.25)", highlight: "#33414d", hover: "#33414d", inherit: false };
  const EDGE_FONT = { color: "#4a5560", size: 11, face: "system-ui, sans-serif", strokeWidth: 3, strokeColor: "#ffffff", align: "middle" };
  const DIM_EDGE_FONT = { color: "rgba(0,0,0,0)", size: 11, face: "system-ui, sans-serif", strokeWidth: 0, strokeColor: "#ffffff", align: "middle" };

  const el = (tag, className, text) => {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  };
  const row = (box, key, value) => {
    const line = el("div", "fk-tip-row");
    line.append(el("span", "fk-tip-key", key + ": "), el("span", "fk-tip-value", String(value)));
    box.append(line);
  };

  const byId = new Map(data.nodes.map((n) => [n.id, n]));
  const links = new Map();
  for (const e of data.edges) {
    for (const [id, direction] of [[e.from, "out"], [e.to, "in"]]) {
      if (!links.has(id)) links.set(id, []);
      links.get(id).push([direction, e]);
    }
  }

  const nodeColor = (n) => {
    const c = data.classes[n.class];
    return {
      background: c.color, border: c.border,
      highlight: { background: c.light, border: c.border }, hover: { background: c.light, border: c.border },
    };
  };

  const nodeTip = (n) => {
    const box = el("div", "fk-tip");
    box.append(el("div", "fk-tip-title", n.label));
    box.append(el("div", "fk-tip-sub", n.types.length ? n.types.join(", ") : "(untyped)"));
    for (const [key, value] of n.facts) row(box, key, value);
    const mine = links.get(n.id) || [];
    for (const [direction, e] of mine.slice(0, MAX_LINKS)) {
      const text = direction === "out"
        ? "→ " + e.label + " " + byId.get(e.to).label
        : "← " + byId.get(e.from).label + " " + e.label;
      box.append(el("div", "fk-tip-row", text));
    }
    if (mine.length > MAX_LINKS) box.append(el("div", "fk-tip-more", "… and " + (mine.length - MAX_LINKS) + " more"));
    row(box, "relations", n.degreeTotal > n.degree ? n.degree + " shown of " + n.degreeTotal : n.degree);
    box.append(el("div", "fk-tip-iri", n.iri));
    return box;
  };

  const edgeTip = (e) => {
    const box = el("div", "fk-tip");
    box.append(el("div", "fk-tip-title", byId.get(e.from).label + " — " + e.label + " → " + byId.get(e.to).label));
    if (!e.statements.length) box.append(el("div", "fk-tip-sub", "no statement recorded: no qualifiers, source or quote"));
    if (e.conflict) box.append(el("div", "fk-tip-conflict", "⚠ these claims disagree"));
    for (const s of e.statements.slice(0, MAX_STATEMENTS)) {
      const part = el("div", "fk-tip-statement");
      if (s.conflict) part.append(el("div", "fk-tip-conflict", "⚠ " + s.conflict));
      if (s.rank) row(part, "rank", s.rank);
      for (const [key, value] of s.qualifiers) row(part, key, value);
      for (const source of s.sources) row(part, "source", source);
      for (const quote of s.quotes) part.append(el("blockquote", "fk-tip-quote", "“" + quote + "”"));
      box.append(part);
    }
    if (e.statements.length > MAX_STATEMENTS) {
      box.append(el("div", "fk-tip-more", "… and " + (e.statements.length - MAX_STATEMENTS) + " more statements"));
    }
    return box;
  };

  const visNodes = data.nodes.map((n) => {
    const item = {
      id: n.id, label: n.label, shape: data.classes[n.class].shape, size: n.size,
      color: nodeColor(n), font: FONT, title: nodeTip(n), borderWidth: n.id === data.focus ? 4 : 1.5,
    };
    if (n.x !== undefined) { item.x = n.x; item.y = n.y; }
    return item;
  });
  const visEdges = data.edges.map((e) => {
    const item = {
      id: e.id, from: e.from, to: e.to, label: e.conflict ? "⚠ " + e.label : e.label, title: edgeTip(e),
      color: e.conflict ? CONFLICT_COLOR : EDGE_COLOR, font: EDGE_FONT, dashes: e.conflict,
    };
    if (e.curve) item.smooth = { enabled: true, type: e.curve > 0 ? "curvedCW" : "curvedCCW", roundness: 0.18 * Math.abs(e.curve) };
    return item;
  });
  const nodes = new vis.DataSet(visNodes);
  const edges = new vis.DataSet(visEdges);
  const large = !data.physics;
  const options = {
    autoResize: true,
    layout: { improvedLayout: data.physics && data.nodes.length <= 100, randomSeed: 7 },
    physics: data.physics
      ? {
        enabled: true, solver: "barnesHut",
        barnesHut: { gravitationalConstant: -6000, centralGravity: 0.25, springLength: 150, springConstant: 0.035, damping: 0.25, avoidOverlap: 0.3 },
        stabilization: { enabled: true, iterations: 400, updateInterval: 50, fit: true },
      }
      : { enabled: false },
    interaction: {
      hover: true, tooltipDelay: 120, hideEdgesOnDrag: large, hideEdgesOnZoom: large,
      navigationButtons: false, keyboard: false, multiselect: false,
    },
    nodes: { borderWidth: 1.5, font: FONT },
    edges: {
      arrows: { to: { enabled: true, scaleFactor: 0.6 } }, width: 1.2, selectionWidth: 1.5,
      color: EDGE_COLOR, font: EDGE_FONT, smooth: large ? false : { enabled: true, type: "continuous", roundness: 0.3 },
    },
  };
  const container = document.getElementById("fk-network");
  const network = new vis.Network(container, { nodes, edges }, options);
  timings.created = performance.now();

  const state = { ready: false, drawn: false, stable: !data.physics, highlighted: null };
  const api = { network, nodes, edges, data, timings, state, highlight: null, find: null, ready: false };
  window.filmkg = api;
  window.filmkgNetwork = network;
  const finish = () => {
    if (api.ready || !state.drawn || !state.stable) return;
    timings.ready = performance.now();
    api.ready = true;
    document.documentElement.dataset.filmkgReady = "1";
  };
  network.on("afterDrawing", () => {
    if (!state.drawn) { state.drawn = true; timings.firstDraw = performance.now(); finish(); }
  });
  if (data.physics) {
    network.once("stabilizationIterationsDone", () => {
      network.setOptions({ physics: { enabled: false } });
      state.stable = true;
      timings.stabilized = performance.now();
      network.fit();
      finish();
    });
  }

  const highlight = (id) => {
    const near = id === null || id === undefined ? null : new Set(network.getConnectedNodes(id).concat([id]));
    state.highlighted = near ? id : null;
    if (large) {
      // Restyling thousands of items takes a third of a second: select the neighbourhood instead.
      if (near) network.setSelection({ nodes: [...near], edges: network.getConnectedEdges(id) }, { highlightEdges: false });
      else network.unselectAll();
      return;
    }
    nodes.update(data.nodes.map((n) => {
      const on = !near || near.has(n.id);
      return { id: n.id, color: on ? nodeColor(n) : DIM_NODE, font: on ? FONT : DIM_FONT };
    }));
    edges.update(data.edges.map((e) => {
      const on = !near || e.from === id || e.to === id;
      return { id: e.id, color: on ? EDGE_COLOR : DIM_EDGE, font: on ? EDGE_FONT : DIM_EDGE_FONT };
    }));
  };
  api.highlight = highlight;
  network.on("click", (params) => {
    if (params.nodes.length) highlight(params.nodes[0]);
    else if (!params.edges.length) highlight(null);
  });

  const input = document.getElementById("fk-search");
  const status = document.getElementById("fk-status");
  const names = document.getElementById("fk-names");
  for (const label of [...new Set(data.nodes.map((n) => n.label))].sort().slice(0, 5000)) {
    const option = document.createElement("option");
    option.value = label;
    names.append(option);
  }
  const find = (text) => {
    const wanted = text.trim().toLocaleLowerCase();
    if (!wanted) { status.textContent = ""; return null; }
    const label = (n) => n.label.toLocaleLowerCase();
    const hit = data.nodes.find((n) => label(n) === wanted)
      || data.nodes.find((n) => label(n).startsWith(wanted))
      || data.nodes.find((n) => label(n).includes(wanted));
    if (!hit) {
      status.textContent = "no entity “" + text.trim() + "” in this view";
      return null;
    }
    network.selectNodes([hit.id]);
    highlight(hit.id);
    network.focus(hit.id, { scale: Math.max(network.getScale(), 1), animation: { duration: 400, easingFunction: "easeInOutQuad" } });
    status.textContent = "found: " + hit.label;
    return hit.id;
  };
  api.find = find;
  document.getElementById("fk-search-form").addEventListener("submit", (event) => {
    event.preventDefault();
    find(input.value);
  });
  input.addEventListener("input", (event) => {
    if (!event.inputType || event.inputType === "insertReplacementText") find(input.value);
  });
  document.getElementById("fk-reset").addEventListener("click", () => {
    input.value = "";
    status.textContent = "";
    network.unselectAll();
    highlight(null);
    network.fit({ animation: { duration: 300, easingFunction: "easeInOutQuad" } });
  });
})();
