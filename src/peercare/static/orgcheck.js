// Organizational self-assessment: statements a reader ticks, and a short action plan.
// Nothing syncs to Python (no trait holds the ticks or the plan), nothing is stored in the
// browser, and nothing is sent. The reader can print the plan or save it as an HTML file.

function render({ model, el: root }) {
  const uid = `pco-${++counter}`;
  const title = model.get("title") || "Self-assessment";
  const groups = model.get("groups") || [];
  const plan = model.get("plan") || [];
  const wrap = el("section", { class: "pcr pco", "aria-labelledby": `${uid}-title` });
  wrap.appendChild(el("h3", { class: "pcr-title", id: `${uid}-title` }, title));
  if (model.get("intro")) wrap.appendChild(el("p", {}, model.get("intro")));
  wrap.appendChild(el("p", { class: "pcr-privacy" }, model.get("privacy") || ""));

  const parts = groups.map((g, gi) => {
    const fs = el("fieldset", { class: "pcq-q pco-group" });
    fs.appendChild(el("legend", { class: "pcq-prompt" }, g.heading));
    const boxes = (g.items || []).map((item, ii) => {
      const id = `${uid}-g${gi}-i${ii}`;
      const label = el("label", { class: "pcq-option", for: id });
      const box = el("input", { type: "checkbox", id, value: item.text, "data-item": item.id });
      label.appendChild(box);
      label.appendChild(el("span", {}, item.text));
      fs.appendChild(label);
      return box;
    });
    wrap.appendChild(fs);
    return { g, boxes };
  });

  const total = parts.reduce((n, p) => n + p.boxes.length, 0);
  const status = el("p", { class: "pco-status", role: "status", "aria-live": "polite" });
  wrap.appendChild(status);
  function tally() {
    const done = parts.reduce((n, p) => n + p.boxes.filter((b) => b.checked).length, 0);
    status.textContent = `In place: ${done} of ${total}. The rest go on your list to work on.`;
  }
  parts.forEach((p) => p.boxes.forEach((b) => b.addEventListener("change", tally)));
  tally();

  const planBox = el("fieldset", { class: "pcq-q pco-plan" });
  planBox.appendChild(el("legend", { class: "pcq-prompt" }, model.get("plan_heading") || "Our action plan"));
  const answers = plan.map((p, pi) => {
    const id = `${uid}-p${pi}`;
    planBox.appendChild(el("label", { class: "pcr-prompt", for: id }, p.prompt));
    const ta = el("textarea", { id, rows: "2", autocomplete: "off" });
    planBox.appendChild(ta);
    return { p, ta };
  });
  wrap.appendChild(planBox);

  function docHtml() {
    const list = (items) => (items.length ? items.map((t) => `<li>${escapeHtml(t)}</li>`).join("") : "<li>(none)</li>");
    const inPlace = [];
    const toDo = [];
    parts.forEach(({ g, boxes }) => {
      boxes.forEach((b) => (b.checked ? inPlace : toDo).push(`${g.heading}: ${b.value}`));
    });
    const steps = answers.map(({ p, ta }) => `<li><strong>${escapeHtml(p.prompt)}</strong> ${escapeHtml(ta.value.trim() || "(not filled in)")}</li>`).join("");
    const body = `<h2>Our action plan</h2><ul>${steps}</ul>` +
      `<h2>In place</h2><ul>${list(inPlace)}</ul>` +
      `<h2>To work on</h2><ul>${list(toDo)}</ul>` +
      `<p><strong>${escapeHtml(model.get("help_text") || "")}</strong></p>`;
    return printableDoc(title, body);
  }

  const actions = el("div", { class: "pcr-actions" });
  const print = el("button", { type: "button", class: "pcr-button" }, "Print our plan");
  const save = el("button", { type: "button", class: "pcr-button pcr-secondary" }, "Save our plan to this device");
  const clear = el("button", { type: "button", class: "pcr-button pcr-secondary" }, "Clear");
  [print, save, clear].forEach((b) => actions.appendChild(b));
  wrap.appendChild(actions);
  root.appendChild(wrap);

  print.addEventListener("click", () => printDoc(docHtml(), "Action plan to print"));
  save.addEventListener("click", () => saveToDevice(docHtml(), "our-support-action-plan.html", "text/html"));
  clear.addEventListener("click", () => {
    parts.forEach((p) => p.boxes.forEach((b) => (b.checked = false)));
    answers.forEach(({ ta }) => (ta.value = ""));
    tally();
  });
}

export default { render };
