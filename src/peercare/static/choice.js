// Answer buttons for one certification question (peercare.certification.choices).
// A click writes `answer = "B"` into the question's answer box (the nbgrader answer cell just
// above) and saves the notebook, so what gets graded is the box's text, read as data; no
// candidate code runs. The buttons follow the box: a letter typed there shows as chosen.
// They need JupyterLab's app object (`peercare cert lab` exposes it); without it they say
// to type the letter in the box.

const LINE = /^\s*(?:answer\s*=\s*)?["']{0,3}\s*([A-Za-z])\s*["']{0,3}\s*;?\s*(?:#.*)?$/;

function chosenIn(source) {
  const lines = source.split("\n").filter((l) => l.trim() && !l.trim().startsWith("#"));
  if (lines.length !== 1) return "";
  const m = LINE.exec(lines[0]);
  return m ? m[1].toUpperCase() : "";
}

function withChoice(source, letter) {
  const keep = source.split("\n").filter((l) => l.trim().startsWith("#"));
  return [...keep, `answer = "${letter}"`].join("\n");
}

function notebooks(app) {
  const out = [];
  for (const w of app.shell.widgets("main")) if (w.content && w.content.widgets) out.push(w);
  return out;
}

function answerCell(app, el) {
  for (const panel of notebooks(app)) {
    const cells = panel.content.widgets;
    const i = cells.findIndex((c) => c.node.contains(el));
    if (i < 0) continue;
    for (let j = i - 1; j >= 0; j--) {
      const model = cells[j].model;
      const meta = model.getMetadata ? model.getMetadata("nbgrader") : null;
      if (model.type === "code" && meta && meta.solution) return { panel, model };
    }
    return null;
  }
  return null;
}

// One save at a time per notebook, shortly after the last click: two saves at once make
// JupyterLab ask whether the file "has changed on disk".
async function saveSoon(panel) {
  if (panel.peercareSaving) {
    panel.peercareAgain = true;
    return panel.peercareSaving;
  }
  panel.peercareSaving = (async () => {
    do {
      panel.peercareAgain = false;
      await new Promise((done) => setTimeout(done, 500));
      await panel.context.save();
    } while (panel.peercareAgain);
  })();
  try {
    await panel.peercareSaving;
  } finally {
    panel.peercareSaving = null;
  }
}

function render({ model, el }) {
  const number = model.get("number");
  const letters = model.get("letters");
  const root = document.createElement("div");
  root.className = "peercare-choice";
  root.style.cssText = "display:flex;flex-wrap:wrap;align-items:center;gap:.5rem;margin:.25rem 0";
  const label = document.createElement("span");
  label.id = `peercare-choice-label-${number}-${Math.random().toString(36).slice(2)}`;
  label.textContent = `Your answer to question ${number}:`;
  label.style.fontWeight = "600";
  const group = document.createElement("div");
  group.setAttribute("role", "radiogroup");
  group.setAttribute("aria-labelledby", label.id);
  group.style.cssText = "display:flex;gap:.5rem";
  const said = document.createElement("span");
  said.setAttribute("aria-live", "polite");
  root.append(label, group, said);
  el.append(root);

  const buttons = letters.map((letter) => {
    const b = document.createElement("button");
    b.type = "button";
    b.textContent = letter;
    b.setAttribute("role", "radio");
    b.setAttribute("aria-label", `Choice ${letter}`);
    b.style.cssText =
      "min-width:2.75rem;min-height:2.75rem;font-size:1.1rem;font-weight:700;border-radius:6px;" +
      "border:2px solid #1a4f8b;cursor:pointer";
    group.append(b);
    return b;
  });

  function show(letter) {
    for (const b of buttons) {
      const on = b.textContent === letter;
      b.setAttribute("aria-checked", on ? "true" : "false");
      b.style.background = on ? "#1a4f8b" : "#ffffff";
      b.style.color = on ? "#ffffff" : "#1a4f8b";
    }
    said.textContent = letter ? `You chose ${letter}.` : "Not answered yet.";
  }

  const app = window.jupyterapp;
  let found = null;
  let listen = null;
  function follow() {
    if (!app) return false;
    found = answerCell(app, el);
    if (!found) return false;
    const shared = found.model.sharedModel;
    listen = () => show(chosenIn(shared.getSource()));
    shared.changed.connect(listen);
    listen();
    return true;
  }
  show("");
  // the output is attached to its cell a moment after it renders (longer on a busy computer)
  let tries = 0;
  (function wait() {
    if (follow()) return;
    if (app && ++tries < 60) {
      setTimeout(wait, 250);
      return;
    }
    said.textContent = "Type the letter between the quotes in the box above.";
    for (const b of buttons) b.disabled = true;
  })();

  for (const b of buttons) {
    b.addEventListener("click", async () => {
      if (!found && !follow()) return;
      const shared = found.model.sharedModel;
      shared.setSource(withChoice(shared.getSource(), b.textContent));
      try {
        await saveSoon(found.panel);
      } catch (e) {
        said.textContent = `You chose ${b.textContent}. Save the notebook (Ctrl+S).`;
      }
    });
  }
  return () => {
    if (found && listen) found.model.sharedModel.changed.disconnect(listen);
  };
}

export default { render };
