// Coping plan builder: checkboxes of ideas and the reader's own words, per section.
// Nothing syncs to Python (no trait holds the reader's plan) and nothing is sent.
// The reader can print the plan or download it as an HTML file made in the browser.

function render({ model, el: root }) {
  const uid = `pcp-${++counter}`;
  const sections = model.get("sections") || [];
  const title = model.get("title") || "My plan";
  const wrap = el("section", { class: "pcr pcp", "aria-labelledby": `${uid}-title` });
  wrap.appendChild(el("h3", { class: "pcr-title", id: `${uid}-title` }, title));
  if (model.get("intro")) wrap.appendChild(el("p", {}, model.get("intro")));
  wrap.appendChild(el("p", { class: "pcr-privacy" }, "Private: your plan stays in this page. It is not saved or sent. Print it or save a copy before you leave."));

  const parts = sections.map((s, si) => {
    const fs = el("fieldset", { class: "pcq-q pcp-section" });
    fs.appendChild(el("legend", { class: "pcq-prompt" }, `${s.heading}: ${s.prompt}`));
    const boxes = (s.ideas || []).map((idea, ii) => {
      const id = `${uid}-s${si}-i${ii}`;
      const label = el("label", { class: "pcq-option", for: id });
      const box = el("input", { type: "checkbox", id, value: idea });
      label.appendChild(box);
      label.appendChild(el("span", {}, idea));
      fs.appendChild(label);
      return box;
    });
    const tid = `${uid}-s${si}-own`;
    fs.appendChild(el("label", { class: "pcr-prompt", for: tid }, "In my own words:"));
    const own = el("textarea", { id: tid, rows: "2", autocomplete: "off" });
    fs.appendChild(own);
    wrap.appendChild(fs);
    return { s, boxes, own };
  });

  function planHtml() {
    const body = parts.map(({ s, boxes, own }) => {
      const picked = boxes.filter((b) => b.checked).map((b) => `<li>${escapeHtml(b.value)}</li>`);
      if (own.value.trim()) picked.push(`<li>${escapeHtml(own.value.trim())}</li>`);
      return `<h2>${escapeHtml(s.heading)}</h2><ul>${picked.join("") || "<li>(nothing yet)</li>"}</ul>`;
    }).join("");
    return printableDoc(title, body, model.get("help_text"));
  }

  const actions = el("div", { class: "pcr-actions" });
  const print = el("button", { type: "button", class: "pcr-button" }, "Print my plan");
  const save = el("button", { type: "button", class: "pcr-button pcr-secondary" }, "Save my plan to this device");
  actions.appendChild(print);
  actions.appendChild(save);
  wrap.appendChild(actions);
  root.appendChild(wrap);

  save.addEventListener("click", () => {
    saveToDevice(planHtml(), "my-coping-plan.html", "text/html");
  });
  print.addEventListener("click", () => {
    printDoc(planHtml(), "Plan to print");
  });
}

export default { render };
