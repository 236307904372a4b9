// A private, non-diagnostic reflection check-in. The answers never leave the page: no
// trait holds them. It reflects back, statement by statement, what the reader marked
// (nothing is added up), adds an item's note when it is marked high, and points to help.
// PrivateCheckInSpec.reflect in peercare/book/widgets.py says the same in Python (tests compare).

function render({ model, el: root }) {
  const uid = `pcs-${++counter}`;
  const items = model.get("items") || [];
  const scale = model.get("scale") || [];
  const steps = model.get("next_steps") || [];
  const wrap = el("section", { class: "pcr pcs", "aria-labelledby": `${uid}-title` });
  wrap.appendChild(el("h3", { class: "pcr-title", id: `${uid}-title` }, model.get("title") || "Check-in"));
  wrap.appendChild(el("p", { class: "pcr-privacy" }, model.get("label")));
  if (model.get("timeframe")) wrap.appendChild(el("p", {}, model.get("timeframe")));

  const groups = items.map((item, ii) => {
    const fs = el("fieldset", { class: "pcq-q pcs-item" });
    fs.appendChild(el("legend", { class: "pcq-prompt" }, item.text));
    const row = el("div", { class: "pcq-options" });
    const inputs = scale.map((point, pi) => {
      const id = `${uid}-i${ii}-p${pi}`;
      const label = el("label", { class: "pcq-option", for: id });
      const input = el("input", { type: "radio", name: `${uid}-i${ii}`, id, value: String(point.value) });
      label.appendChild(input);
      label.appendChild(el("span", {}, point.label));
      row.appendChild(label);
      return input;
    });
    fs.appendChild(row);
    wrap.appendChild(fs);
    return inputs;
  });

  const show = el("button", { type: "button", class: "pcr-button" }, "Show my reflection");
  const clear = el("button", { type: "button", class: "pcr-button pcr-secondary" }, "Clear");
  const actions = el("div", { class: "pcr-actions" });
  actions.appendChild(show);
  actions.appendChild(clear);
  wrap.appendChild(actions);
  const result = el("div", { class: "pcq-feedback", role: "status", "aria-live": "polite" });
  wrap.appendChild(result);
  root.appendChild(wrap);

  show.addEventListener("click", () => {
    result.textContent = "";
    const picked = groups.map((inputs) => inputs.find((i) => i.checked));
    const missing = picked.filter((p) => !p).length;
    if (missing) {
      result.className = "pcq-feedback pcq-empty";
      result.appendChild(el("p", {}, `${missing} statement${missing > 1 ? "s are" : " is"} not answered yet. Answer each one, or skip this check-in. Both are fine.`));
      return;
    }
    const answers = picked.map((p) => Number(p.value));
    const low = Math.min(...scale.map((p) => p.value));
    result.className = "pcq-feedback pcq-empty";
    result.appendChild(el("p", { class: "pcq-verdict" }, "What you told us"));
    const levels = [...scale].sort((a, b) => b.value - a.value);
    for (const point of levels) {
      const marked = items.filter((_, i) => answers[i] === point.value);
      if (point.value === low || !marked.length) continue;
      result.appendChild(el("p", {}, `You marked "${point.label}" for:`));
      const list = el("ul", {});
      for (const item of marked) list.appendChild(el("li", {}, item.text));
      result.appendChild(list);
    }
    items.forEach((item, i) => {
      if (item.high_note && item.high_at !== null && answers[i] >= item.high_at) {
        result.appendChild(el("p", {}, item.high_note));
      }
    });
    const highest = Math.max(...answers);
    const step = steps.find((s) => highest <= s.highest) || steps[steps.length - 1];
    const closing = highest === low ? model.get("none_text") : step && step.text;
    if (closing) result.appendChild(el("p", {}, closing));
    if (model.get("urgent_note")) result.appendChild(el("p", {}, model.get("urgent_note")));
  });
  clear.addEventListener("click", () => {
    groups.forEach((inputs) => inputs.forEach((i) => (i.checked = false)));
    result.textContent = "";
    result.className = "pcq-feedback";
  });
}

export default { render };
