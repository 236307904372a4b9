// Private reflection: text areas that live only in this page. Nothing is stored, synced
// or sent (there is no trait for the text). The reader may save a copy to their own
// device as a text file, made in the browser.

function render({ model, el: root }) {
  const uid = `pcr-${++counter}`;
  const prompts = model.get("prompts") || [];
  const wrap = el("section", { class: "pcr", "aria-labelledby": `${uid}-title` });
  wrap.appendChild(el("h3", { class: "pcr-title", id: `${uid}-title` }, model.get("title") || "Reflection"));
  wrap.appendChild(
    el("p", { class: "pcr-privacy" },
      "Private: what you type stays in this page only. It is not saved or sent, and it is gone when you close the page.")
  );
  const areas = prompts.map((p, i) => {
    const id = `${uid}-p${i}`;
    wrap.appendChild(el("label", { class: "pcr-prompt", for: id }, p));
    const ta = el("textarea", { id, rows: "4", autocomplete: "off", spellcheck: "true" });
    wrap.appendChild(ta);
    return ta;
  });
  const actions = el("div", { class: "pcr-actions" });
  const save = el("button", { type: "button", class: "pcr-button" }, "Save a copy to this device");
  const clear = el("button", { type: "button", class: "pcr-button pcr-secondary" }, "Clear");
  actions.appendChild(save);
  actions.appendChild(clear);
  wrap.appendChild(actions);
  root.appendChild(wrap);

  save.addEventListener("click", () => {
    const text = prompts.map((p, i) => `${p}\n${areas[i].value}\n`).join("\n");
    saveToDevice(text, "my-reflection.txt", "text/plain");
  });
  clear.addEventListener("click", () => {
    areas.forEach((a) => (a.value = ""));
    if (areas.length) areas[0].focus();
  });
}

export default { render };
