// Local referral map: the places and numbers a reader fills in for their own area.
// Entries are kept in this browser only (localStorage, one key) so they survive a reload;
// "Delete" removes them. No trait holds them, so nothing syncs to Python or is sent.

function render({ model, el: root }) {
  const uid = `pcm-${++counter}`;
  const title = model.get("title") || "My referral map";
  const places = model.get("places") || [];
  const store = deviceStore(model.get("store_key"));
  const wrap = el("section", { class: "pcr pcm", "aria-labelledby": `${uid}-title` });
  wrap.appendChild(el("h3", { class: "pcr-title", id: `${uid}-title` }, title));
  if (model.get("intro")) wrap.appendChild(el("p", {}, model.get("intro")));
  wrap.appendChild(el("p", { class: "pcr-privacy" },
    "Private: your map is kept in this browser on this device only. It is never sent. Anyone who uses this browser can see it, so list places, not people you help. Press Delete to remove it."));

  function field(id, label, describedBy) {
    const attrs = { type: "text", id, autocomplete: "off" };
    if (describedBy) attrs["aria-describedby"] = describedBy;
    const input = el("input", attrs);
    return [el("label", { class: "pcm-label", for: id }, label), input];
  }

  const rows = places.map((p, i) => {
    const fs = el("fieldset", { class: "pcq-q pcm-place" });
    fs.appendChild(el("legend", { class: "pcq-prompt" }, p.heading));
    const hintId = p.hint ? `${uid}-p${i}-hint` : "";
    if (p.hint) fs.appendChild(el("p", { class: "pcq-hint", id: hintId }, p.hint));
    const [whoLabel, who] = field(`${uid}-p${i}-who`, "Name or place", hintId);
    const [howLabel, how] = field(`${uid}-p${i}-how`, "How to reach them (phone, address, hours)");
    [whoLabel, who, howLabel, how].forEach((n) => fs.appendChild(n));
    wrap.appendChild(fs);
    return { p, who, how };
  });

  const status = el("p", { class: "pcm-status", role: "status" });
  const actions = el("div", { class: "pcr-actions" });
  const print = el("button", { type: "button", class: "pcr-button" }, "Print my map");
  const del = el("button", { type: "button", class: "pcr-button pcr-secondary" }, "Delete my map from this device");
  actions.appendChild(print);
  actions.appendChild(del);
  wrap.appendChild(actions);
  wrap.appendChild(status);
  root.appendChild(wrap);

  function entries() {
    const out = {};
    for (const { p, who, how } of rows) {
      if (who.value.trim() || how.value.trim()) out[p.id] = { who: who.value, how: how.value };
    }
    return out;
  }

  const saved = store.load() || {};
  for (const { p, who, how } of rows) {
    const e = saved[p.id];
    if (e && typeof e === "object") {
      who.value = typeof e.who === "string" ? e.who : "";
      how.value = typeof e.how === "string" ? e.how : "";
    }
  }

  wrap.addEventListener("input", () => {
    const data = entries();
    if (!Object.keys(data).length) {
      store.remove();
      status.textContent = "";
    } else if (!store.save(data)) {
      status.textContent = "This browser cannot keep your map. Print it before you close the page.";
    } else {
      status.textContent = "";
    }
  });

  del.addEventListener("click", () => {
    store.remove();
    rows.forEach(({ who, how }) => { who.value = ""; how.value = ""; });
    status.textContent = "Your map was deleted from this device.";
    if (rows.length) rows[0].who.focus();
  });

  print.addEventListener("click", () => {
    const body = rows.map(({ p, who, how }) => {
      const name = who.value.trim() || "_______________";
      const reach = how.value.trim() || "_______________";
      return `<h2>${escapeHtml(p.heading)}</h2><p>${escapeHtml(name)}<br>${escapeHtml(reach)}</p>`;
    }).join("");
    printDoc(printableDoc(title, body, model.get("help_text")), "Referral map to print");
  });
}

export default { render };
