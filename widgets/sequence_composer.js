// SequenceList: the ordered parts of a module (or modules of a parcours) in the composer.
//
// Python sends `items` ({id, title, kind, detail, missing, prerequisites, earlier}) and the
// words (`strings`); this module draws them as a numbered list and sends each change to
// Python as one small message ({op: "move", id, position}, {op: "remove", id},
// {op: "prerequisites", id, needs}); Python saves it at once and sends the list back, with
// `announce` for screen readers. Order: drag a row by its handle (mouse, pen or finger),
// or the Move up / Move down buttons of each row (the keyboard alternative).

const DRAG_THRESHOLD = 4; // px before a press on a handle becomes a drag

// make and format: dom_helpers.js, put in front of this module by Python

function render({ model, el }) {
  el.classList.add("icsc");
  el.setAttribute("data-lm-suppress-shortcuts", "true");
  const S = () => model.get("strings") || {};
  const live = make("p", "icsc-live", { role: "status", "aria-live": "polite", "aria-atomic": "true" });
  const empty = make("p", "icsc-empty");
  const list = make("ol", "icsc-list");
  const help = make("p", "icsc-help");
  el.append(help, list, empty, live);

  let focusWanted = null; // {id, what} to focus once the list is drawn again
  let drag = null;

  function send(message) {
    model.send(message);
  }

  function rowButton(name, label, onClick) {
    const b = make("button", `icsc-btn icsc-${name}`, { type: "button", "aria-label": label, title: label });
    const icon = make("span", "icsc-btn-icon", { "aria-hidden": "true" });
    icon.textContent = { up: "↑", down: "↓", remove: "✖" }[name];
    const text = make("span", "icsc-btn-text");
    text.textContent = S()[`${name}_short`] || "";
    b.append(icon, text);
    b.dataset.what = name;
    b.addEventListener("click", onClick);
    return b;
  }

  function draw() {
    const s = S();
    const items = model.get("items") || [];
    list.textContent = "";
    list.setAttribute("aria-label", s.list_label || "");
    help.textContent = items.length > 1 ? s.help || "" : "";
    empty.textContent = s.empty || "";
    empty.hidden = items.length > 0;
    list.hidden = items.length === 0;
    items.forEach((item, index) => {
      const values = { title: item.title, n: index + 1, total: items.length };
      const li = make("li", "icsc-row", { "data-id": item.id });
      if (item.missing) li.classList.add("icsc-missing");
      const handle = make("span", "icsc-handle", { title: s.drag || "" });
      handle.textContent = "⠿";
      handle.setAttribute("aria-hidden", "true");
      handle.addEventListener("pointerdown", (event) => startDrag(event, li, item, index));
      const main = make("div", "icsc-main");
      const title = make("span", "icsc-title");
      const number = make("span", "icsc-number");
      number.textContent = `${index + 1}.`;
      title.append(number, document.createTextNode(` ${item.title}`));
      const detail = make("span", "icsc-detail");
      detail.textContent = item.detail || "";
      main.append(title, detail);
      if (item.missing) {
        const warn = make("span", "icsc-warn");
        warn.textContent = `⚠ ${item.missing}`;
        main.appendChild(warn);
      }
      const tools = make("div", "icsc-tools", { role: "group", "aria-label": format(s.tools_label, values) });
      const up = rowButton("up", format(s.up, values), () => move(item, index - 1, "up"));
      const down = rowButton("down", format(s.down, values), () => move(item, index + 1, "down"));
      const remove = rowButton("remove", format(s.remove, values), () => {
        focusWanted = { id: (items[index + 1] || items[index - 1] || {}).id, what: "remove" };
        send({ op: "remove", id: item.id });
      });
      up.disabled = index === 0;
      down.disabled = index === items.length - 1;
      tools.append(up, down, remove);
      li.append(handle, main, tools);
      if ((item.earlier || []).length) {
        const box = make("fieldset", "icsc-needs");
        const legend = make("legend");
        legend.textContent = format(s.needs, values);
        box.appendChild(legend);
        for (const other of item.earlier) {
          const id = `icsc-${item.id}-${other.id}`;
          const check = make("input", "", { type: "checkbox", id });
          check.checked = (item.prerequisites || []).includes(other.id);
          check.addEventListener("change", () => {
            const needs = [...box.querySelectorAll("input:checked")].map((c) => c.dataset.need);
            focusWanted = { id: item.id, what: `need-${other.id}` };
            send({ op: "prerequisites", id: item.id, needs });
          });
          check.dataset.need = other.id;
          const label = make("label", "", { for: id });
          label.textContent = other.title;
          const pair = make("span", "icsc-need");
          pair.append(check, label);
          box.appendChild(pair);
        }
        li.appendChild(box);
      }
      list.appendChild(li);
    });
    refocus();
  }

  function refocus() {
    if (!focusWanted) return;
    const { id, what } = focusWanted;
    focusWanted = null;
    const li = id && list.querySelector(`li[data-id="${CSS.escape(id)}"]`);
    if (!li) return;
    let target = null;
    if (what.startsWith("need-")) target = li.querySelector(`input[data-need="${CSS.escape(what.slice(5))}"]`);
    else if (what === "remove") target = li.querySelector(".icsc-remove");
    else {
      target = li.querySelector(`.icsc-${what}`);
      if (target && target.disabled) target = li.querySelector(what === "up" ? ".icsc-down" : ".icsc-up");
      if (target && target.disabled) target = li.querySelector(".icsc-remove");
    }
    if (target) target.focus();
  }

  function move(item, position, what) {
    const items = model.get("items") || [];
    if (position < 0 || position >= items.length) return;
    focusWanted = { id: item.id, what };
    send({ op: "move", id: item.id, position });
  }

  // -- drag and drop, with pointer events (mouse, pen, touch) --------------------------------
  function startDrag(event, li, item, index) {
    if (event.button !== undefined && event.button !== 0) return;
    event.preventDefault();
    drag = { li, item, index, x: event.clientX, y: event.clientY, started: false, target: index };
    if (event.target.setPointerCapture) event.target.setPointerCapture(event.pointerId);
    event.target.addEventListener("pointermove", onMove);
    event.target.addEventListener("pointerup", onUp, { once: true });
    event.target.addEventListener("pointercancel", onCancel, { once: true });
  }

  function targetIndex(y) {
    const rows = [...list.children];
    let index = rows.length - 1;
    for (let i = 0; i < rows.length; i += 1) {
      const box = rows[i].getBoundingClientRect();
      if (y < box.top + box.height / 2) {
        index = i;
        break;
      }
    }
    // dropping below a later row puts the item after it
    if (drag && index > drag.index) {
      const box = rows[index].getBoundingClientRect();
      if (y < box.top + box.height / 2) index -= 1;
    }
    return Math.max(0, Math.min(index, rows.length - 1));
  }

  function onMove(event) {
    if (!drag) return;
    if (!drag.started && Math.hypot(event.clientX - drag.x, event.clientY - drag.y) < DRAG_THRESHOLD) return;
    drag.started = true;
    drag.li.classList.add("icsc-dragging");
    drag.target = targetIndex(event.clientY);
    [...list.children].forEach((row, i) => {
      row.classList.toggle("icsc-drop-before", i === drag.target && drag.target < drag.index);
      row.classList.toggle("icsc-drop-after", i === drag.target && drag.target > drag.index);
    });
  }

  function finish(event) {
    event.target.removeEventListener("pointermove", onMove);
    for (const row of list.children) row.classList.remove("icsc-dragging", "icsc-drop-before", "icsc-drop-after");
  }

  function onUp(event) {
    finish(event);
    const done = drag;
    drag = null;
    if (done && done.started && done.target !== done.index) {
      focusWanted = { id: done.item.id, what: "up" };
      send({ op: "move", id: done.item.id, position: done.target });
    }
  }

  function onCancel(event) {
    finish(event);
    drag = null;
  }

  function announce() {
    // the same words twice are announced twice: empty the region first
    live.textContent = "";
    setTimeout(() => {
      live.textContent = model.get("announce") || "";
    }, 50);
  }

  model.on("change:items", draw);
  model.on("change:strings", draw);
  model.on("change:announce_count", announce);
  draw();
  return () => {
    model.off("change:items", draw);
    model.off("change:strings", draw);
    model.off("change:announce_count", announce);
  };
}

export default { render };
