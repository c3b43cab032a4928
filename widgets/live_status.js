// LiveStatus: one message in a live region that stays in the page, so that screen readers
// announce each new text (a region created together with its text is often not announced).

function render({ model, el }) {
  el.classList.add("icls");
  const region = document.createElement("p");
  region.className = "icls-text";
  region.setAttribute("role", model.get("urgent") ? "alert" : "status");
  region.setAttribute("aria-live", model.get("urgent") ? "assertive" : "polite");
  region.setAttribute("aria-atomic", "true");
  el.appendChild(region);

  function update() {
    region.textContent = model.get("text");
    region.dataset.tone = model.get("tone");
    el.classList.toggle("icls-empty", !model.get("text"));
  }

  model.on("change:text", update);
  model.on("change:tone", update);
  update();
  return () => {
    model.off("change:text", update);
    model.off("change:tone", update);
  };
}

export default { render };
