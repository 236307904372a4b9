// Coping plan builder: checkboxes of ideas and the reader's own words, per section.
// Nothing syncs to Python (no trait holds the reader's plan) and nothing is sent.
// In the book (keep_on_device) the plan is kept in this browser only (localStorage), saved
// as the reader types and restored on reload; "Delete my plan" removes it. In a live
// session (a device that may be shared) nothing is kept: the plan is gone when the page
// closes. Either way the reader can print it or download it as an HTML file.

const PLAN_PREFIX = "peercare-plan:";

function readPlan(key) {
  try {
    const data = JSON.parse(window.localStorage.getItem(key) || "null");
    return data && typeof data === "object" && data.sections ? data : null;
  } catch (e) {
    return null;
  }
}

function writePlan(key, data) {
  try {
    window.localStorage.setItem(key, JSON.stringify(data));
    return true;
  } catch (e) {
    return false; /* storage blocked or full: printing and saving a copy still work */
  }
}

function deletePlan(key) {
  try {
    window.localStorage.removeItem(key);
  } catch (e) {
    /* nothing was kept */
  }
}

function render({ model, el: root }) {
  const uid = `pcp-${++counter}`;
  const sections = model.get("sections") || [];
  const title = model.get("title") || "My plan";
  const wrap = el("section", { class: "pcr pcp", "aria-labelledby": `${uid}-title` });
  wrap.appendChild(el("h3", { class: "pcr-title", id: `${uid}-title` }, title));
  if (model.get("intro")) wrap.appendChild(el("p", {}, model.get("intro")));
  const key = PLAN_PREFIX + title;
  const keepIt = model.get("keep_on_device") !== false;
  wrap.appendChild(el("p", { class: "pcr-privacy" }, keepIt
    ? "Saved only on this device, in this browser, as you type. Nothing is sent. Anyone who uses this browser can see it, so press Delete my plan on a shared device."
    : "Not saved anywhere, and nothing is sent. Your plan is gone when you close this page, so print it or save a copy first."));

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

  const status = el("p", { class: "pcr-status", role: "status", "aria-live": "polite" });
  const kept = keepIt ? readPlan(key) : null;
  if (kept) {
    for (const { s, boxes, own } of parts) {
      const mine = kept.sections[s.id] || {};
      const picked = new Set(mine.picked || []);
      for (const box of boxes) box.checked = picked.has(box.value);
      own.value = typeof mine.own === "string" ? mine.own : "";
    }
  }

  function keep() {
    if (!keepIt) return;
    const sections = {};
    for (const { s, boxes, own } of parts) {
      sections[s.id] = { picked: boxes.filter((b) => b.checked).map((b) => b.value), own: own.value };
    }
    status.textContent = writePlan(key, { sections }) ? "" : "This browser cannot keep your plan. Print it or save a copy.";
  }
  function changed() {
    forget(); // an Undo would now overwrite the reader's new choices
    keep();
  }
  for (const { boxes, own } of parts) {
    for (const box of boxes) box.addEventListener("change", changed);
    own.addEventListener("input", changed);
  }

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
  const save = el("button", { type: "button", class: "pcr-button pcr-secondary" }, "Save a copy as a file");
  const erase = el("button", { type: "button", class: "pcr-button pcr-secondary" }, keepIt ? "Delete my plan" : "Clear my plan");
  actions.appendChild(print);
  actions.appendChild(save);
  actions.appendChild(erase);
  wrap.appendChild(actions);
  wrap.appendChild(status);
  root.appendChild(wrap);

  // One mis-tap must not lose a plan: after a clear, "Undo" brings it back until the reader
  // changes the plan again or leaves the page (the copy is in this page's memory only).
  const undo = el("button", { type: "button", class: "pcr-button pcr-secondary" }, "Undo");
  let cleared = null;
  function forget() {
    cleared = null;
    undo.remove();
  }

  erase.addEventListener("click", () => {
    cleared = parts.map(({ boxes, own }) => ({ picked: boxes.map((b) => b.checked), own: own.value }));
    if (keepIt) deletePlan(key);
    for (const { boxes, own } of parts) {
      for (const box of boxes) box.checked = false;
      own.value = "";
    }
    actions.appendChild(undo);
    status.textContent = (keepIt ? "Your plan is deleted from this device." : "Your plan is cleared.") +
      " Changed your mind? Press Undo before you close this page.";
  });
  undo.addEventListener("click", () => {
    if (!cleared) return;
    parts.forEach(({ boxes, own }, i) => {
      boxes.forEach((box, j) => { box.checked = cleared[i].picked[j]; });
      own.value = cleared[i].own;
    });
    forget();
    status.textContent = "";
    keep(); // in the book, kept on the device again (it says so if it cannot)
    status.textContent = status.textContent || "Your plan is back.";
    erase.focus();
  });

  save.addEventListener("click", () => {
    saveToDevice(planHtml(), "my-coping-plan.html", "text/html");
  });
  print.addEventListener("click", () => {
    printDoc(planHtml(), "Plan to print");
  });
}

export default { render };
