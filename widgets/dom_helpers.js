// Small page helpers shared by the widgets' ES modules (comic_editor.js, podcast_studio.js).
// anywidget loads one module per widget and it cannot import a neighbour file, so Python
// puts this file in front of the widget's own (`widget_module`).

function make(tag, className, attrs) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  for (const [key, value] of Object.entries(attrs || {})) node.setAttribute(key, value);
  return node;
}

function format(template, values) {
  return String(template || "").replace(/\{(\w+)\}/g, (all, key) =>
    key in values ? String(values[key]) : all,
  );
}

function clamp(value, low, high) {
  return Math.min(Math.max(value, low), high);
}
