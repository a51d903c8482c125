// The interactive view of an osgraph network. Every text that comes from data is set with
// textContent or as a DOM property, never as HTML, so that a name can never become markup.
(function () {
  "use strict";
  const data = JSON.parse(document.getElementById("network-data").textContent);
  // Twenty colours told apart at a glance: Tableau's ten, then eight darker or brighter ones.
  const PALETTE = ["#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948",
    "#b07aa1", "#ff9da7", "#9c755f", "#17becf", "#bcbd22", "#8c564b",
    "#1f3d7a", "#a0522d", "#2e7d32", "#880e4f", "#6a3d9a", "#00897b", "#c51b7d", "#827717"];
  const OTHER = "#9e9e9e";
  const UNKNOWN = "#d4d4d4";
  const DIMMED = "#e6e6e6";
  // The vis-network shape of each kind of node (the page's data names the kinds), and the
  // legend's drawing of each shape.
  const SHAPES = data.shapes;
  const SVG_SHAPES = {
    dot: "M8 2a6 6 0 1 0 0.01 0Z", triangle: "M8 2L14 14H2Z", square: "M3 3H13V13H3Z",
    diamond: "M8 1L15 8L8 15L1 8Z", star: "M8 1L10 6H15L11 9L12.5 15L8 11.5L3.5 15L5 9L1 6H6Z",
    hexagon: "M4.5 2H11.5L15 8L11.5 14H4.5L1 8Z", triangleDown: "M2 2H14L8 14Z",
  };
  // An institution of unknown kind is a dot with a dashed border.
  const DASHED = new Set(["institution"]);

  function shapeIcon(kind) {
    const svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
    svg.setAttribute("viewBox", "0 0 16 16");
    svg.setAttribute("width", "16");
    svg.setAttribute("height", "16");
    const path = document.createElementNS("http://www.w3.org/2000/svg", "path");
    path.setAttribute("d", SVG_SHAPES[SHAPES[kind] || "dot"]);
    path.setAttribute("fill", DASHED.has(kind) ? "#fff" : "#777");
    path.setAttribute("stroke", "#555");
    if (DASHED.has(kind)) path.setAttribute("stroke-dasharray", "2 1.5");
    svg.appendChild(path);
    return svg;
  }

  function element(tag, text, className) {
    const node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = String(text);
    if (className) node.className = className;
    return node;
  }

  function safeLink(url) {
    if (typeof url !== "string" || !/^https?:\/\//i.test(url)) return null;
    const link = element("a", url);
    link.href = url;
    link.rel = "noopener noreferrer";
    link.target = "_blank";
    return link;
  }

  // The groups a node is in: the countries (and areas) the lists credit it with, or its
  // community. A node with none is in no group: "unknown".
  function groupsOf(node, key) {
    if (key === "country") return node.places || [];
    return node[key] === null || node[key] === undefined ? [] : [String(node[key])];
  }

  function tooltip(node) {
    const box = element("div", null, "tooltip");
    box.appendChild(element("strong", node.label));
    box.appendChild(element("span", [node.kind, (node.places || []).join("; ")].filter(Boolean).join(" · ")));
    return box;
  }

  // Groups are ranked by how many nodes they hold, then by how many projects, then by name; a
  // node in several takes the colour of the highest ranked. The first groups get the palette's
  // colours; any beyond it are "other", and nodes in no group "unknown": both in the legend.
  function colouring(key) {
    const held = new Map();
    for (const node of data.nodes) {
      for (const group of groupsOf(node, key)) {
        const [nodes, projects] = held.get(group) || [0, 0];
        held.set(group, [nodes + 1, projects + (node.projects || 0)]);
      }
    }
    const order = [...held.entries()]
      .sort((a, b) => b[1][0] - a[1][0] || b[1][1] - a[1][1] || a[0].localeCompare(b[0]))
      .map(([group]) => group);
    const rank = new Map(order.map((group, index) => [group, index]));
    const groupOf = new Map();
    const sizes = new Map();
    for (const node of data.nodes) {
      const groups = groupsOf(node, key);
      const group = groups.length ? groups.reduce((a, b) => (rank.get(b) < rank.get(a) ? b : a)) : null;
      groupOf.set(node.id, group);
      if (group !== null) sizes.set(group, (sizes.get(group) || 0) + 1);
    }
    // A group whose every node is in a higher ranked one as well colours no node: it gets no
    // colour of its own, and the legend names it apart.
    const shown = order.filter((group) => sizes.has(group));
    const colours = new Map(shown.map((group, index) => [group, index < PALETTE.length ? PALETTE[index] : OTHER]));
    const unknown = data.nodes.length - [...sizes.values()].reduce((a, b) => a + b, 0);
    const count = (group) => [group, held.get(group)[0], sizes.get(group) || 0];
    return { colours, groupOf, ranked: shown.map(count), within: order.filter((group) => !sizes.has(group)).map(count), unknown };
  }
  const colourings = { country: colouring("country"), community: colouring("community") };
  let colourKey = "country";

  function colourFor(node) {
    const { colours, groupOf } = colourings[colourKey];
    const group = groupOf.get(node.id);
    return group === null ? UNKNOWN : colours.get(group);
  }

  // Size grows with the square root of the projects up to 64 of them, then with their log, so
  // that an institution of thousands of projects does not cover the others.
  function sizeOf(projects) {
    return projects <= 64 ? 8 + 5 * Math.sqrt(projects) : 48 + 6 * Math.log2(projects / 64);
  }
  const nodes = new vis.DataSet(data.nodes.map((node) => ({
    id: node.id,
    label: node.label,
    shape: SHAPES[node.kind] || SHAPES.institution,
    shapeProperties: { borderDashes: DASHED.has(node.kind) ? [3, 2] : false },
    size: sizeOf(node.projects || 1),
    color: colourFor(node),
    title: tooltip(node),
    x: node.x, y: node.y,
  })));
  const edges = new vis.DataSet(data.edges.map((edge, index) => ({
    id: index, from: edge.from, to: edge.to, value: edge.weight,
    color: { color: "#b5b5b5", highlight: "#555" },
  })));
  const byId = new Map(data.nodes.map((node) => [node.id, node]));
  const network = new vis.Network(document.getElementById("network"), { nodes, edges }, data.options);

  // Labels are readable wherever the view is: as many as fit in it without overlapping one
  // another or any node drawn, of the nodes with the most projects and links first, are drawn
  // LABEL_PX high; the others are too small on screen to be drawn (vis-network leaves out a
  // label smaller than data.options.nodes.scaling.label.drawThreshold) until the view zooms or
  // moves, which places the labels again.
  const LABEL_PX = 14;
  const ZOOMED = 3;  // how much closer the view must be for the other labels to show meanwhile
  const CANDIDATES = 400;  // nodes in view tried for a label, most important first
  const CELL = 64;  // the side, in pixels, of the cells that find what a label could overlap
  function placeLabels() {
    const scale = network.getScale();
    const canvas = document.querySelector("#network canvas");
    const measure = canvas.getContext("2d");
    measure.font = `${LABEL_PX}px ${data.options.nodes.font.face}`;
    const positions = network.getPositions();
    const canvasWidth = canvas.clientWidth;
    const canvasHeight = canvas.clientHeight;
    // What is drawn in view, as boxes on screen [left, top, right, bottom, node], in the cells
    // of a grid over the canvas: every node shown, then each label placed.
    const cells = new Map();
    const cellsOf = (box, each) => {
      for (let x = Math.floor(box[0] / CELL); x <= Math.floor(box[2] / CELL); x++) {
        for (let y = Math.floor(box[1] / CELL); y <= Math.floor(box[3] / CELL); y++) each(`${x},${y}`);
      }
    };
    const add = (box) => cellsOf(box, (cell) => {
      if (!cells.has(cell)) cells.set(cell, []);
      cells.get(cell).push(box);
    });
    const overlaps = (box) => {
      let found = false;
      cellsOf(box, (cell) => {
        found = found || (cells.get(cell) || []).some((b) => b[4] !== box[4]
          && box[0] < b[2] && b[0] < box[2] && box[1] < b[3] && b[1] < box[3]);
      });
      return found;
    };
    const shown = [];
    for (const node of data.nodes) {
      const drawn = nodes.get(node.id);
      if (drawn.hidden) continue;
      const at = network.canvasToDOM(positions[node.id]);
      const radius = drawn.size * scale + 1;  // and its border
      const box = [at.x - radius, at.y - radius, at.x + radius, at.y + radius, node.id];
      if (box[2] < 0 || box[3] < 0 || box[0] > canvasWidth || box[1] > canvasHeight) continue;
      add(box);
      if (at.x >= 0 && at.y >= 0 && at.x <= canvasWidth && at.y <= canvasHeight) shown.push([node, at, radius]);
    }
    const important = shown
      .sort(([a], [b]) => (b.projects || 0) - (a.projects || 0) || (b.degree || 0) - (a.degree || 0)
        || a.label.localeCompare(b.label))
      .slice(0, CANDIDATES);
    // A label goes below its node, where vis-network draws it (half its height and 4 units below
    // the node's shape), or else above, moved up by the font's vadjust (in the canvas's units).
    const labelled = new Map();  // how far up each label drawn is moved
    for (const [node, at, radius] of important) {
      const half = measure.measureText(node.label).width / 2;
      const below = at.y + radius + LABEL_PX / 2 + 4 * scale;
      const above = at.y - radius - 4 * scale - LABEL_PX;
      for (const top of [below, above]) {
        const box = [at.x - half - 2, top - 1, at.x + half + 2, top + LABEL_PX + 1, node.id];
        if (box[0] < 0 || box[1] < 0 || box[2] > canvasWidth || box[3] > canvasHeight || overlaps(box)) continue;
        add(box);
        labelled.set(node.id, (top - below) / scale);
        break;
      }
    }
    nodes.update(data.nodes.map((node) => ({
      id: node.id,
      font: labelled.has(node.id)
        ? { size: LABEL_PX / scale, vadjust: labelled.get(node.id) }
        : { size: LABEL_PX / (scale * ZOOMED), vadjust: 0 },
    })));
  }
  let placing = null;
  function placeLabelsSoon() {
    clearTimeout(placing);
    placing = setTimeout(placeLabels, 150);
  }
  function laidOut() {
    network.fit();
    placeLabels();
    network.on("zoom", placeLabelsSoon);
    network.on("dragEnd", placeLabelsSoon);
    network.on("animationFinished", placeLabels);
  }
  if (data.options.physics && data.options.physics.enabled) {
    network.once("stabilizationIterationsDone", () => {
      network.setOptions({ physics: { enabled: false } });
      laidOut();
    });
  } else {
    laidOut();
  }

  function paint(highlighted) {
    nodes.update(data.nodes.map((node) => ({
      id: node.id,
      color: !highlighted || highlighted.has(node.id) ? colourFor(node) : DIMMED,
    })));
  }

  // Facts of a node or an edge, in the side panel.
  const facts = document.getElementById("facts");
  function showNode(id) {
    const node = byId.get(id);
    facts.replaceChildren(element("h2", node.label));
    const table = element("table");
    // A project's links are its institutions; an institution's or a country's collaborators
    // are the others it shares projects with.
    const links = node.kind === "project" ? ["institutions", node.degree] : ["collaborators", node.collaborators];
    const rows = [["kind", node.kind], ["country", node.country], ["area", node.area],
      ["headquarters", node.headquarters], ["domain", node.domain],
      ["projects", node.projects], links, ["community", node.community]];
    for (const [name, value] of rows) {
      if (value === null || value === undefined || value === "") continue;
      const row = element("tr");
      row.appendChild(element("th", name));
      row.appendChild(element("td", value));
      table.appendChild(row);
    }
    const link = safeLink(node.homepage);
    if (link) {
      const row = element("tr");
      row.appendChild(element("th", "homepage"));
      const cell = element("td");
      cell.appendChild(link);
      row.appendChild(cell);
      table.appendChild(row);
    }
    facts.appendChild(table);
  }
  function showEdge(id) {
    const edge = data.edges[id];
    facts.replaceChildren(element("h2", `${byId.get(edge.from).label} — ${byId.get(edge.to).label}`));
    facts.appendChild(element("p", edge.weight === 1 ? "1 shared project:" : `${edge.weight} shared projects:`));
    const list = element("ul");
    for (const project of String(edge.projects || "").split("; ").filter(Boolean)) list.appendChild(element("li", project));
    facts.appendChild(list);
    if (edge.places.length) facts.appendChild(element("p", `Credited in ${edge.places.join("; ")}.`));
  }

  function select(id) {
    const neighbours = new Set(network.getConnectedNodes(id));
    neighbours.add(id);
    paint(neighbours);
    network.selectNodes([id]);
    showNode(id);
  }

  network.on("click", (event) => {
    if (event.nodes.length) select(event.nodes[0]);
    else if (event.edges.length) { paint(null); showEdge(event.edges[0]); }
    else paint(null);
  });

  // Search: the first node whose name is, or starts with, what was typed.
  const names = document.getElementById("names");
  for (const node of [...data.nodes].sort((a, b) => a.label.localeCompare(b.label))) {
    const option = element("option");
    option.value = node.label;
    names.appendChild(option);
  }
  const search = document.getElementById("search");
  // Enter runs a search, and so does a changed text; Enter on a changed text fires both (keydown
  // first), which would start two moves of the view: the change then searches no more.
  let searched = null;
  function find(event) {
    const wanted = search.value.trim().toLowerCase();
    if (event.type === "change" && wanted === searched) return;
    searched = wanted;
    if (!wanted) return;
    const found = data.nodes.find((n) => n.label.toLowerCase() === wanted && !nodes.get(n.id).hidden)
      || data.nodes.find((n) => n.label.toLowerCase().startsWith(wanted) && !nodes.get(n.id).hidden);
    if (!found) return;
    network.focus(found.id, { scale: 1.4, animation: { duration: 400 } });
    select(found.id);
  }
  search.addEventListener("change", find);
  search.addEventListener("keydown", (event) => { if (event.key === "Enter") find(event); });

  // Filters by country and by kind.
  function fill(selectId, values) {
    const menu = document.getElementById(selectId);
    for (const value of values) {
      const option = element("option", value);
      option.value = value;
      menu.appendChild(option);
    }
    menu.addEventListener("change", filter);
  }
  const countries = new Set();
  const kinds = new Set();
  for (const node of data.nodes) {
    for (const country of node.places || []) countries.add(country);
    kinds.add(node.kind);
  }
  fill("country-filter", [...countries].sort());
  fill("kind-filter", [...kinds].sort());
  function filter() {
    const country = document.getElementById("country-filter").value;
    const kind = document.getElementById("kind-filter").value;
    nodes.update(data.nodes.map((node) => ({
      id: node.id,
      hidden: (country !== "" && !(node.places || []).includes(country))
        || (kind !== "" && node.kind !== kind),
    })));
    // An institution credited in the country may have built other projects elsewhere: the edges
    // of contributions credited elsewhere go too.
    edges.update(data.edges.map((edge, index) => ({
      id: index,
      hidden: country !== "" && edge.places.length > 0 && !edge.places.includes(country),
    })));
    // The view zooms to what the filters keep (not closer than twice the labels' size).
    const kept = nodes.get({ filter: (node) => !node.hidden }).map((node) => node.id);
    if (kept.length) network.fit({ nodes: kept, maxZoomLevel: 2, animation: { duration: 300 } });
  }

  // Legend: what the colours and the shapes mean.
  const legend = document.getElementById("legend");
  function drawLegend() {
    legend.replaceChildren(element("h3", colourKey === "country" ? "Colour: country" : "Colour: community"));
    const list = element("ul");
    const { colours, ranked, within, unknown } = colourings[colourKey];
    function entry(colour, text) {
      const item = element("li");
      const swatch = element("span", null, "swatch");
      swatch.style.background = colour;
      item.appendChild(swatch);
      item.appendChild(element("span", text));
      list.appendChild(item);
    }
    const others = ranked.filter(([group]) => colours.get(group) === OTHER);
    for (const [group, size] of ranked) {
      if (colours.get(group) !== OTHER) entry(colours.get(group), `${colourKey === "community" ? "community " : ""}${group} (${size})`);
    }
    if (others.length) {
      const painted = others.reduce((sum, [, , n]) => sum + n, 0);
      const what = colourKey === "community" ? "communities" : "countries";
      entry(OTHER, `other: ${others.length} more ${what}, ${painted} nodes`);
    }
    if (unknown) entry(UNKNOWN, `${colourKey === "community" ? "no community" : "no country"}: ${unknown} nodes`);
    legend.appendChild(list);
    if (colourKey === "country") {
      if (within.length) {
        const names = within.map(([group, size]) => `${group} (${size})`).join(", ");
        legend.appendChild(element("p", `Also credited, on nodes coloured for another of their countries: ${names}.`, "hint"));
      }
      legend.appendChild(element("p", "Countries as the lists credit them, with how many nodes each; a node credited in several takes the colour of the one listed first.", "hint"));
    }
    legend.appendChild(element("h3", "Shape: kind"));
    const shapes = element("ul");
    for (const kind of [...kinds].sort()) {
      const item = element("li");
      const icon = element("span", null, "shape");
      icon.appendChild(shapeIcon(kind));
      item.appendChild(icon);
      item.appendChild(element("span", kind === "institution" ? "institution (kind unknown)" : kind));
      shapes.appendChild(item);
    }
    legend.appendChild(shapes);
    legend.appendChild(element("p", "Size: number of projects.", "hint"));
  }
  for (const radio of document.querySelectorAll("input[name=colour]")) {
    radio.addEventListener("change", () => { colourKey = radio.value; paint(null); drawLegend(); });
  }
  drawLegend();

  // The picture saved: the heading, the network as drawn and the legend, on white (the
  // network's own canvas is transparent).
  function picture() {
    const drawing = document.querySelector("#network canvas");
    const ratio = drawing.width / drawing.clientWidth;
    const pad = 12;
    const side = 300;
    const face = "system-ui, sans-serif";
    const out = document.createElement("canvas");
    const context = out.getContext("2d");
    function wrap(text, font, width) {
      context.font = font;
      const lines = [];
      let line = "";
      for (const word of text.split(/\s+/).filter(Boolean)) {
        const longer = line ? `${line} ${word}` : word;
        if (line && context.measureText(longer).width > width) { lines.push(line); line = word; }
        else line = longer;
      }
      if (line) lines.push(line);
      return lines;
    }
    // What is written, as [font, colour, line height, lines, swatch]: the heading first.
    const width = drawing.clientWidth + side;
    const head = [[`bold 20px ${face}`, "#222", 26, wrap(document.querySelector("header h1").textContent, `bold 20px ${face}`, width - 2 * pad)]];
    for (const line of document.querySelectorAll("header p")) {
      head.push([`13px ${face}`, "#555", 18, wrap(line.textContent, `13px ${face}`, width - 2 * pad)]);
    }
    const key = [];
    for (const part of legend.children) {
      if (part.tagName === "H3") key.push([`bold 14px ${face}`, "#222", 22, [part.textContent]]);
      else if (part.tagName === "P") key.push([`12px ${face}`, "#666", 16, wrap(part.textContent, `12px ${face}`, side - 2 * pad)]);
      else {
        for (const item of part.children) {
          const swatch = item.querySelector(".swatch");
          const icon = item.querySelector(".shape path");
          const mark = swatch ? { colour: getComputedStyle(swatch).backgroundColor } : { path: icon.getAttribute("d"), fill: icon.getAttribute("fill"), dashed: icon.hasAttribute("stroke-dasharray") };
          key.push([`13px ${face}`, "#222", 20, wrap(item.textContent, `13px ${face}`, side - 2 * pad - 22), mark]);
        }
      }
    }
    const tall = (parts) => parts.reduce((sum, [, , height, lines]) => sum + height * lines.length, 0);
    const top = pad + tall(head) + pad;
    const height = top + Math.max(drawing.clientHeight, tall(key) + pad);
    out.width = Math.round(width * ratio);
    out.height = Math.round(height * ratio);
    context.scale(ratio, ratio);
    context.fillStyle = "#fff";
    context.fillRect(0, 0, width, height);
    context.textBaseline = "top";
    function write(parts, x, y) {
      for (const [font, colour, lineHeight, lines, mark] of parts) {
        for (const [index, line] of lines.entries()) {
          if (mark && index === 0) {
            context.save();
            context.translate(x, y + (lineHeight - 16) / 2);
            if (mark.colour) {
              context.beginPath();
              context.arc(8, 8, 7, 0, 2 * Math.PI);
              context.fillStyle = mark.colour;
              context.fill();
              context.strokeStyle = "#999";
              context.stroke();
            } else {
              const shape = new Path2D(mark.path);
              context.fillStyle = mark.fill;
              context.fill(shape);
              context.strokeStyle = "#555";
              if (mark.dashed) context.setLineDash([2, 1.5]);
              context.stroke(shape);
            }
            context.restore();
          }
          context.font = font;
          context.fillStyle = colour;
          context.fillText(line, mark ? x + 22 : x, y + (lineHeight - parseInt(font.match(/(\d+)px/)[1], 10)) / 2);
          y += lineHeight;
        }
      }
    }
    write(head, pad, pad);
    context.drawImage(drawing, 0, top, drawing.clientWidth, drawing.clientHeight);
    context.strokeStyle = "#ddd";
    context.beginPath();
    context.moveTo(drawing.clientWidth + 0.5, top);
    context.lineTo(drawing.clientWidth + 0.5, height);
    context.stroke();
    write(key, drawing.clientWidth + pad, top + pad);
    return out;
  }

  document.getElementById("save").addEventListener("click", () => {
    const link = document.createElement("a");
    link.download = "osgraph-network.png";
    link.href = picture().toDataURL("image/png");
    link.click();
  });

  window.osgraphView = { network, nodes, edges, select, picture };
})();
