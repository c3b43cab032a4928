// ComicCanvas: the page of a comic as Python renders it (one renderer, lxml SVG), made
// editable. This module only handles interaction; every change goes to Python as a small
// operation ({op: "move", panel, el, x, y}…) through model.send, and Python sends back the
// page SVG rendered again. Mouse: click selects, drag moves, the corner handle resizes,
// double click edits text. Keyboard: Tab / Shift+Tab go from element to element, arrows
// move (Shift: bigger steps), + / - resize, F flips, Page Up / Page Down change the layer,
// Delete removes, Enter edits the text, Escape lets go, Ctrl+Z / Ctrl+Y undo and redo.
// Every action also has a labelled button.

const SVGNS = "http://www.w3.org/2000/svg";
const STEP = 0.01;
const BIG_STEP = 0.05;
const SCALE_STEP = 1.1;
const DRAG_THRESHOLD = 3; // page px before a press becomes a drag
const TEXT_KINDS = ["bubble", "caption", "sfx"];
const FLIP_KINDS = ["character", "prop", "image"];

// make, format and clamp: dom_helpers.js, put in front of this module by Python

function render({ model, el }) {
  const S = model.get("strings") || {};
  const uid = Math.random().toString(36).slice(2, 10);
  el.classList.add("icce");
  // JupyterLab must leave our keys (arrows, Delete, F…) to the canvas
  el.setAttribute("data-lm-suppress-shortcuts", "true");
  el.setAttribute("data-p-suppress-shortcuts", "true");
  el.dir = model.get("ui_dir") || "ltr";

  // -- the tool bar: one button per keyboard action --------------------------------------
  const tools = make("div", "icce-tools", { role: "group", "aria-label": S.tools_label });
  const buttons = {};
  const TOOLS = [
    ["left", "←"],
    ["right", "→"],
    ["up", "↑"],
    ["down", "↓"],
    ["bigger", "+"],
    ["smaller", "−"],
    ["flip", "⇋"],
    ["forward", "⬆"],
    ["backward", "⬇"],
    ["edit", "✎"],
    ["delete", "✖"],
    ["undo", "↶"],
    ["redo", "↷"],
  ];
  for (const [name, icon] of TOOLS) {
    const button = make("button", `icce-tool icce-tool-${name}`, {
      type: "button",
      "aria-label": S[`tool_${name}`] || name,
      title: S[`tool_${name}_key`] || S[`tool_${name}`] || name,
    });
    const mark = make("span", "icce-tool-icon", { "aria-hidden": "true" });
    mark.textContent = icon;
    const text = make("span", "icce-tool-text");
    text.textContent = S[`tool_${name}_short`] || "";
    button.append(mark, text);
    button.addEventListener("click", () => action(name, false));
    buttons[name] = button;
    tools.appendChild(button);
  }
  const live = make("p", "icce-live", { role: "status", "aria-live": "polite" });

  // -- the page ---------------------------------------------------------------------------
  const stage = make("div", "icce-stage");
  const pageBox = make("div", "icce-page", { role: "region", "aria-label": S.page_label });
  const help = make("p", "icce-help", { id: `icce-help-${uid}` });
  help.textContent = S.keys_help || "";
  const editor = make("textarea", "icce-edit", {
    "aria-label": S.edit_label,
    rows: "3",
    dir: "auto",
  });
  editor.hidden = true;
  stage.append(pageBox, editor);
  const warnings = make("ul", "icce-warnings", { "aria-label": S.warnings_label });

  // -- the palettes -----------------------------------------------------------------------
  const palette = make("div", "icce-palette");
  const addTitle = make("p", "icce-add-title");
  const textButtons = make("div", "icce-add-text", { role: "group", "aria-label": S.add_text });
  for (const [kind, style] of [
    ["bubble", "speech"],
    ["bubble", "thought"],
    ["bubble", "shout"],
    ["bubble", "whisper"],
    ["caption", ""],
    ["sfx", ""],
  ]) {
    const name = style ? `add_${style}` : `add_${kind}`;
    const button = make("button", `icce-add icce-add-${style || kind}`, { type: "button" });
    button.textContent = S[name] || name;
    button.addEventListener("click", () => add({ kind, ...(style ? { style } : {}) }));
    textButtons.appendChild(button);
  }
  const artBox = make("div", "icce-art");
  palette.append(addTitle, textButtons, artBox);

  el.append(tools, live, stage, help, warnings, palette);

  // -- state -------------------------------------------------------------------------------
  let svg = null;
  let items = new Map(); // "panel/el" -> element summary from Python
  let drag = null;
  let editing = null;
  let focusWanted = false;
  let focusIndex = null; // where the focus goes after a deletion
  let keepFilters = {}; // the character filters, kept while the palette changes skin tone

  function key(panel, id) {
    return `${panel}/${id}`;
  }

  function refreshItems() {
    items = new Map();
    for (const item of model.get("elements") || []) items.set(key(item.panel, item.id), item);
  }

  function panelRect(id) {
    return (model.get("panels") || []).find((p) => p.id === id) || null;
  }

  function selectedItem() {
    return items.get(model.get("selected")) || null;
  }

  function nodeFor(k) {
    if (!svg || !k) return null;
    for (const node of svg.querySelectorAll("g.ic-el")) {
      if (node.dataset.icceKey === k) return node;
    }
    return null;
  }

  function send(op) {
    model.send(op);
  }

  function say(text) {
    live.textContent = text;
  }

  function describe(item) {
    if (!item) return S.nothing_selected || "";
    return format(S.selected, {
      label: item.label,
      panel: item.panel_n,
      x: Math.round(item.x * 100),
      y: Math.round(item.y * 100),
    });
  }

  // -- drawing -----------------------------------------------------------------------------
  function drawSvg() {
    const hadFocus = pageBox.contains(document.activeElement) || focusWanted;
    pageBox.innerHTML = model.get("svg") || "";
    svg = pageBox.querySelector("svg");
    drag = null;
    if (!svg) return;
    // focusable elements inside: the page is a group, not a picture
    svg.setAttribute("role", "group");
    svg.setAttribute("aria-describedby", help.id);
    svg.removeAttribute("width");
    svg.removeAttribute("height");
    svg.setAttribute("focusable", "false");
    for (const node of svg.querySelectorAll("g.ic-el")) {
      const panel = node.closest("g.ic-panel");
      const k = key(panel ? panel.dataset.panel : "", node.dataset.el);
      node.dataset.icceKey = k;
      const item = items.get(k);
      node.setAttribute("tabindex", "0");
      // a group, not a button: its name is ours, not the (wrapped) text it shows
      node.setAttribute("role", "group");
      node.setAttribute("aria-roledescription", S.element_role || "element");
      node.setAttribute("aria-label", item ? item.label : node.dataset.el);
      node.setAttribute("focusable", "true");
    }
    // the panels' titles stay for screen readers of the export, not as tooltips here
    for (const panel of svg.querySelectorAll("g.ic-panel")) {
      panel.classList.toggle("icce-current", panel.dataset.panel === model.get("panel"));
    }
    drawBadges();
    drawSelection();
    if (hadFocus) {
      let node = nodeFor(model.get("selected"));
      if (!node && focusIndex !== null) {
        // the element is gone (deleted): the one that took its place gets the focus
        const all = svg.querySelectorAll("g.ic-el");
        node = all.length ? all[Math.min(focusIndex, all.length - 1)] : null;
      }
      if (node) node.focus({ preventScroll: true });
    }
    focusWanted = false;
    focusIndex = null;
  }

  // a panel without its description (required to export) wears a badge; the warning
  // list under the page says the same in words
  function drawBadges() {
    for (const rect of model.get("panels") || []) {
      if (!rect.alt_missing || !rect.w) continue;
      const badge = document.createElementNS(SVGNS, "g");
      badge.setAttribute("class", "icce-badge");
      badge.setAttribute("aria-hidden", "true");
      const r = Math.max(16, (svg.viewBox.baseVal.width || 1000) / 45);
      const circle = document.createElementNS(SVGNS, "circle");
      circle.setAttribute("cx", String(rect.x + r + 8));
      circle.setAttribute("cy", String(rect.y + r + 8));
      circle.setAttribute("r", String(r));
      const mark = document.createElementNS(SVGNS, "text");
      mark.setAttribute("x", String(rect.x + r + 8));
      mark.setAttribute("y", String(rect.y + r * 1.45 + 8));
      mark.setAttribute("text-anchor", "middle");
      mark.setAttribute("font-size", String(r * 1.4));
      mark.textContent = "!";
      badge.append(circle, mark);
      svg.appendChild(badge);
    }
  }

  function toRoot(clientX, clientY) {
    const matrix = svg.getScreenCTM();
    if (!matrix) return { x: 0, y: 0 };
    const point = svg.createSVGPoint();
    point.x = clientX;
    point.y = clientY;
    const p = point.matrixTransform(matrix.inverse());
    return { x: p.x, y: p.y };
  }

  function boxOf(node) {
    const r = node.getBoundingClientRect();
    const a = toRoot(r.left, r.top);
    const b = toRoot(r.right, r.bottom);
    return { x: a.x, y: a.y, w: b.x - a.x, h: b.y - a.y };
  }

  function drawSelection() {
    if (!svg) return;
    for (const old of svg.querySelectorAll(".icce-overlay")) old.remove();
    for (const node of svg.querySelectorAll("g.ic-el.icce-selected")) {
      node.classList.remove("icce-selected");
    }
    const k = model.get("selected");
    const node = nodeFor(k);
    const item = items.get(k);
    updateButtons(item);
    if (!node || !item) return;
    node.classList.add("icce-selected");
    const box = boxOf(node);
    // what is clipped away by the panel is not shown: neither is it outlined
    const rect = panelRect(item.panel);
    if (rect && rect.w) {
      const x1 = Math.max(box.x, rect.x);
      const y1 = Math.max(box.y, rect.y);
      const x2 = Math.min(box.x + box.w, rect.x + rect.w);
      const y2 = Math.min(box.y + box.h, rect.y + rect.h);
      if (x2 > x1 && y2 > y1) Object.assign(box, { x: x1, y: y1, w: x2 - x1, h: y2 - y1 });
    }
    const overlay = document.createElementNS(SVGNS, "g");
    overlay.setAttribute("class", "icce-overlay");
    overlay.setAttribute("aria-hidden", "true");
    const outline = document.createElementNS(SVGNS, "rect");
    outline.setAttribute("class", "icce-outline");
    for (const [name, value] of Object.entries({
      x: box.x + 2,
      y: box.y + 2,
      width: Math.max(box.w - 4, 1),
      height: Math.max(box.h - 4, 1),
    })) {
      outline.setAttribute(name, String(value));
    }
    const size = Math.max(18, (svg.viewBox.baseVal.width || 1000) / 50);
    const handle = document.createElementNS(SVGNS, "rect");
    handle.setAttribute("class", "icce-handle");
    handle.setAttribute("x", String(box.x + box.w - size));
    handle.setAttribute("y", String(box.y + box.h - size));
    handle.setAttribute("width", String(size));
    handle.setAttribute("height", String(size));
    overlay.append(outline, handle);
    svg.appendChild(overlay);
  }

  function updateButtons(item) {
    const none = !item;
    for (const name of ["left", "right", "up", "down", "bigger", "smaller", "forward", "backward", "delete"]) {
      buttons[name].disabled = none;
    }
    buttons.flip.disabled = none || !FLIP_KINDS.includes(item.kind);
    buttons.edit.disabled = none || !TEXT_KINDS.includes(item.kind);
    buttons.undo.disabled = !model.get("can_undo");
    buttons.redo.disabled = !model.get("can_redo");
  }

  function drawWarnings() {
    warnings.textContent = "";
    const list = model.get("warnings") || [];
    warnings.hidden = !list.length;
    for (const text of list) {
      const li = make("li", "icce-warning");
      const mark = make("span", "", { "aria-hidden": "true" });
      mark.textContent = "⚠ ";
      li.append(mark, document.createTextNode(text));
      warnings.appendChild(li);
    }
  }

  // -- selecting ---------------------------------------------------------------------------
  function select(k, announce = true) {
    const item = items.get(k) || null;
    model.set("selected", item ? k : "");
    if (item) model.set("panel", item.panel);
    model.save_changes();
    drawSelection();
    markPanel();
    if (announce) say(describe(item));
  }

  function markPanel() {
    if (!svg) return;
    for (const panel of svg.querySelectorAll("g.ic-panel")) {
      panel.classList.toggle("icce-current", panel.dataset.panel === model.get("panel"));
    }
    const rect = panelRect(model.get("panel"));
    addTitle.textContent = format(S.add_to_panel, { panel: rect ? rect.n : "" });
  }

  // -- actions (keys and buttons) ----------------------------------------------------------
  function action(name, big) {
    if (name === "undo" || name === "redo") {
      focusWanted = pageBox.contains(document.activeElement);
      send({ op: name });
      return;
    }
    const item = selectedItem();
    if (!item) {
      say(S.nothing_selected || "");
      return;
    }
    const step = big ? BIG_STEP : STEP;
    const base = { panel: item.panel, el: item.id };
    const moves = { left: [-step, 0], right: [step, 0], up: [0, -step], down: [0, step] };
    if (name in moves) {
      const [dx, dy] = moves[name];
      item.x = clamp(item.x + dx, 0, 1);
      item.y = clamp(item.y + dy, 0, 1);
      send({ op: "move", ...base, x: item.x, y: item.y });
      say(describe(item));
    } else if (name === "bigger" || name === "smaller") {
      send({ op: "scale_by", ...base, factor: name === "bigger" ? SCALE_STEP : 1 / SCALE_STEP });
    } else if (name === "flip") {
      if (FLIP_KINDS.includes(item.kind)) send({ op: "flip", ...base });
    } else if (name === "forward" || name === "backward") {
      send({ op: "layer", ...base, step: name === "forward" ? 1 : -1 });
    } else if (name === "delete") {
      const node = nodeFor(model.get("selected"));
      focusIndex = node ? [...svg.querySelectorAll("g.ic-el")].indexOf(node) : null;
      focusWanted = true;
      model.set("selected", "");
      model.save_changes();
      send({ op: "delete", ...base });
      say(format(S.deleted, { label: item.label }));
      return;
    } else if (name === "edit") {
      startEdit(item);
      return;
    }
    focusWanted = focusWanted || pageBox.contains(document.activeElement);
  }

  function add(spec) {
    const panel = model.get("panel") || ((model.get("panels") || [])[0] || {}).id;
    focusWanted = true;
    send({ op: "add", panel, ...spec });
  }

  // -- text in place -----------------------------------------------------------------------
  function startEdit(item) {
    const node = nodeFor(key(item.panel, item.id));
    if (!node || !TEXT_KINDS.includes(item.kind)) return;
    const box = node.getBoundingClientRect();
    const host = stage.getBoundingClientRect();
    editing = item;
    editor.maxLength = item.kind === "sfx" ? 60 : 400;
    editor.value = item.text || "";
    editor.style.left = `${Math.max(0, box.left - host.left)}px`;
    editor.style.top = `${Math.max(0, box.top - host.top)}px`;
    editor.style.width = `${Math.max(box.width, 160)}px`;
    editor.style.height = `${Math.max(box.height, 64)}px`;
    editor.hidden = false;
    editor.focus();
    editor.select();
  }

  function endEdit(keep) {
    if (!editing) return;
    const item = editing;
    editing = null;
    editor.hidden = true;
    if (keep && editor.value !== item.text) {
      item.text = editor.value;
      send({ op: "set_text", panel: item.panel, el: item.id, text: editor.value });
    }
    focusWanted = true;
    const node = nodeFor(key(item.panel, item.id));
    if (node) node.focus({ preventScroll: true });
  }

  editor.addEventListener("keydown", (event) => {
    event.stopPropagation();
    if (event.key === "Enter" && !event.shiftKey) {
      event.preventDefault();
      endEdit(true);
    } else if (event.key === "Escape") {
      event.preventDefault();
      endEdit(false);
    }
  });
  editor.addEventListener("blur", () => endEdit(true));

  // -- keyboard ----------------------------------------------------------------------------
  const KEYS = {
    ArrowLeft: "left",
    ArrowRight: "right",
    ArrowUp: "up",
    ArrowDown: "down",
    "+": "bigger",
    "=": "bigger",
    "-": "smaller",
    f: "flip",
    F: "flip",
    PageUp: "forward",
    PageDown: "backward",
    Delete: "delete",
    Backspace: "delete",
    Enter: "edit",
  };

  el.addEventListener("keydown", (event) => {
    if (event.target === editor) return;
    const typing = event.target.closest && event.target.closest("input, textarea, select");
    const ctrl = event.ctrlKey || event.metaKey;
    if (ctrl && !typing) {
      const letter = event.key.toLowerCase();
      if (letter === "z" || letter === "y") {
        event.preventDefault();
        event.stopPropagation();
        action(letter === "y" || event.shiftKey ? "redo" : "undo", false);
      }
      return;
    }
    const node = event.target.closest && event.target.closest("g.ic-el");
    if (!node || event.altKey) return;
    if (event.key === "Escape") {
      event.preventDefault();
      select("", false);
      say(S.nothing_selected || "");
      return;
    }
    const name = KEYS[event.key];
    if (!name) return;
    if (model.get("selected") !== node.dataset.icceKey) select(node.dataset.icceKey, false);
    event.preventDefault();
    event.stopPropagation();
    focusWanted = true;
    action(name, event.shiftKey);
  });

  pageBox.addEventListener("focusin", (event) => {
    const node = event.target.closest && event.target.closest("g.ic-el");
    if (node && node.dataset.icceKey !== model.get("selected")) select(node.dataset.icceKey);
  });

  // -- mouse: select, drag, resize ---------------------------------------------------------
  function startTransform(node) {
    return node.getAttribute("transform") || "";
  }

  // from the root's user space (page px) to the user space of the element's parent
  function toParent(node) {
    const root = svg.getScreenCTM();
    const parent = node.parentNode.getScreenCTM ? node.parentNode.getScreenCTM() : null;
    if (!root || !parent) return null;
    return parent.inverse().multiply(root);
  }

  function localVector(node, dx, dy) {
    const m = toParent(node);
    if (!m) return { x: dx, y: dy };
    return { x: m.a * dx + m.c * dy, y: m.b * dx + m.d * dy };
  }

  function localPoint(node, x, y) {
    const m = toParent(node);
    if (!m) return { x, y };
    return { x: m.a * x + m.c * y + m.e, y: m.b * x + m.d * y + m.f };
  }

  pageBox.addEventListener("pointerdown", (event) => {
    if (!svg || event.button !== 0 || editing) return;
    const handle = event.target.closest && event.target.closest(".icce-handle");
    const node = handle ? nodeFor(model.get("selected")) : event.target.closest("g.ic-el");
    if (!node) {
      const panel = event.target.closest && event.target.closest("g.ic-panel");
      if (panel) {
        model.set("panel", panel.dataset.panel);
        model.set("selected", "");
        model.save_changes();
        drawSelection();
        markPanel();
      }
      return;
    }
    const k = node.dataset.icceKey;
    const item = items.get(k);
    if (!item) return;
    event.preventDefault();
    if (k !== model.get("selected")) select(k);
    node.focus({ preventScroll: true });
    const rect = panelRect(item.panel);
    const start = toRoot(event.clientX, event.clientY);
    const centre = rect ? { x: rect.x + item.x * rect.w, y: rect.y + item.y * rect.h } : start;
    drag = {
      mode: handle ? "resize" : "move",
      node,
      item,
      rect,
      start,
      centre,
      original: startTransform(node),
      moved: false,
      pointer: event.pointerId,
    };
    pageBox.setPointerCapture(event.pointerId);
  });

  pageBox.addEventListener("pointermove", (event) => {
    if (!drag || event.pointerId !== drag.pointer) return;
    const now = toRoot(event.clientX, event.clientY);
    const dx = now.x - drag.start.x;
    const dy = now.y - drag.start.y;
    if (!drag.moved && Math.hypot(dx, dy) < DRAG_THRESHOLD) return;
    if (!drag.moved) {
      drag.moved = true;
      for (const old of svg.querySelectorAll(".icce-overlay")) old.remove();
      drag.node.classList.add("icce-dragging");
    }
    if (drag.mode === "move") {
      const v = localVector(drag.node, dx, dy);
      drag.node.setAttribute("transform", `translate(${v.x} ${v.y}) ${drag.original}`);
      drag.dx = dx;
      drag.dy = dy;
    } else {
      const f = resizeFactors(now);
      const c = localPoint(drag.node, drag.centre.x, drag.centre.y);
      drag.node.setAttribute(
        "transform",
        `translate(${c.x} ${c.y}) scale(${f.x} ${f.y}) translate(${-c.x} ${-c.y}) ${drag.original}`,
      );
      drag.factors = f;
    }
  });

  function resizeFactors(now) {
    const c = drag.centre;
    if (drag.item.kind === "bubble" || drag.item.kind === "caption") {
      const fx = Math.abs(now.x - c.x) / Math.max(1, Math.abs(drag.start.x - c.x));
      const fy = Math.abs(now.y - c.y) / Math.max(1, Math.abs(drag.start.y - c.y));
      return { x: clamp(fx, 0.1, 10), y: clamp(fy, 0.1, 10) };
    }
    const f =
      Math.hypot(now.x - c.x, now.y - c.y) /
      Math.max(1, Math.hypot(drag.start.x - c.x, drag.start.y - c.y));
    return { x: clamp(f, 0.1, 10), y: clamp(f, 0.1, 10) };
  }

  function endDrag(event, keep) {
    if (!drag || event.pointerId !== drag.pointer) return;
    const d = drag;
    drag = null;
    d.node.classList.remove("icce-dragging");
    if (pageBox.hasPointerCapture(event.pointerId)) pageBox.releasePointerCapture(event.pointerId);
    if (!d.moved || !keep || !d.rect) {
      d.node.setAttribute("transform", d.original);
      drawSelection();
      return;
    }
    const base = { panel: d.item.panel, el: d.item.id };
    if (d.mode === "move") {
      d.item.x = clamp(d.item.x + d.dx / d.rect.w, 0, 1);
      d.item.y = clamp(d.item.y + d.dy / d.rect.h, 0, 1);
      send({ op: "move", ...base, x: d.item.x, y: d.item.y });
      say(describe(d.item));
    } else if (d.factors) {
      if (d.item.kind === "bubble" || d.item.kind === "caption") {
        send({ op: "resize", ...base, w: d.item.w * d.factors.x, h: d.item.h * d.factors.y });
      } else {
        send({ op: "resize", ...base, scale: d.item.scale * d.factors.x });
      }
    }
    focusWanted = true;
  }

  pageBox.addEventListener("pointerup", (event) => endDrag(event, true));
  pageBox.addEventListener("pointercancel", (event) => endDrag(event, false));
  pageBox.addEventListener("dblclick", (event) => {
    const node = event.target.closest && event.target.closest("g.ic-el");
    const item = node ? items.get(node.dataset.icceKey) : null;
    if (item && TEXT_KINDS.includes(item.kind)) startEdit(item);
  });

  // -- art palette -------------------------------------------------------------------------
  // a labelled list of the filters box; its options come next
  function addFilter(filters, id, text) {
    const label = make("label", "icce-filter-label", { for: id });
    label.textContent = text;
    const select = make("select", "icce-filter", { id });
    const wrap = make("span", "icce-filter-wrap");
    wrap.append(label, select);
    filters.appendChild(wrap);
    return select;
  }
  function addOption(select, value, text) {
    const option = make("option", "", { value });
    option.textContent = text;
    select.appendChild(option);
    return option;
  }
  function drawPalette() {
    artBox.textContent = "";
    const art = model.get("palette") || [];
    for (const kind of ["character", "prop"]) {
      const all = art.filter((a) => a.kind === kind);
      if (!all.length) continue;
      const box = make("fieldset", `icce-art-group icce-art-${kind}`);
      const legend = make("legend");
      legend.textContent = S[`palette_${kind}`] || kind;
      box.appendChild(legend);
      const filters = make("div", "icce-filters");
      const grid = make("div", "icce-grid", { role: "group", "aria-label": legend.textContent });
      const empty = make("p", "icce-empty");
      empty.textContent = S.no_match || "";
      const tags =
        kind === "character" ? ["gender", "age", "hair", "expression", "profession"] : ["group"];
      const chosen = {};
      if (kind === "character" && (model.get("skins") || []).length) {
        const id = `icce-${uid}-skin`;
        const select = addFilter(filters, id, S.filter_skin || "skin");
        for (const [value, text] of model.get("skins")) {
          addOption(select, value, text).selected = value === model.get("skin");
        }
        // the palette comes back from Python with the characters of this tone
        select.addEventListener("change", () => {
          keepFilters = { ...chosen, focus: id };
          model.set("skin", select.value);
          model.save_changes();
        });
      }
      for (const tag of tags) {
        const values = [...new Set(all.map((a) => (a.tags || {})[tag]).filter(Boolean))].sort();
        if (values.length < 2) continue;
        const select = addFilter(filters, `icce-${uid}-${kind}-${tag}`, S[`filter_${tag}`] || tag);
        addOption(select, "", S.filter_all || "—");
        for (const value of values) {
          addOption(select, value, (S.tag_labels || {})[value] || value);
        }
        if (kind === "character" && keepFilters[tag]) {
          select.value = keepFilters[tag];
          chosen[tag] = select.value;
        }
        select.addEventListener("change", () => {
          chosen[tag] = select.value;
          fill();
        });
      }
      function fill() {
        grid.textContent = "";
        const shown = all.filter((a) =>
          Object.entries(chosen).every(([tag, value]) => !value || (a.tags || {})[tag] === value),
        );
        empty.hidden = shown.length > 0;
        for (const a of shown) {
          const button = make("button", "icce-art-item", {
            type: "button",
            "aria-label": format(S.add_art, { label: a.label }),
            title: a.label,
            "data-ref": a.ref,
          });
          const img = make("img", "", { src: a.thumb, alt: "", width: "48", height: "48" });
          img.loading = "lazy";
          button.appendChild(img);
          button.addEventListener("click", () => add({ kind, art: a.ref }));
          grid.appendChild(button);
        }
      }
      fill();
      box.append(filters, grid, empty);
      artBox.appendChild(box);
    }
    if (keepFilters.focus) {
      const again = artBox.querySelector(`#${keepFilters.focus}`);
      if (again) again.focus();
    }
    keepFilters = {};
  }

  // -- model events ------------------------------------------------------------------------
  function onSvg() {
    refreshItems();
    drawSvg();
    markPanel();
  }
  function onElements() {
    refreshItems();
    if (svg) {
      for (const node of svg.querySelectorAll("g.ic-el")) {
        const item = items.get(node.dataset.icceKey);
        if (item) node.setAttribute("aria-label", item.label);
      }
    }
  }
  function onSelected() {
    drawSelection();
    markPanel();
  }
  function onFocus() {
    focusWanted = true;
    const node = nodeFor(model.get("selected"));
    if (node) {
      node.focus({ preventScroll: false });
      focusWanted = false;
    }
  }
  function onUndoState() {
    updateButtons(selectedItem());
  }

  // what each change of the model redraws: listened to now, let go when the view goes
  const listeners = Object.entries({
    svg: onSvg,
    elements: onElements,
    selected: onSelected,
    panel: markPanel,
    warnings: drawWarnings,
    palette: drawPalette,
    focus_token: onFocus,
    can_undo: onUndoState,
    can_redo: onUndoState,
  });
  for (const [name, listener] of listeners) model.on(`change:${name}`, listener);
  refreshItems();
  drawSvg();
  markPanel();
  drawWarnings();
  drawPalette();
  say(describe(selectedItem()));

  return () => {
    for (const [name, listener] of listeners) model.off(`change:${name}`, listener);
  };
}

export default { render };
