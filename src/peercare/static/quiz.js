// The self-assessment widget. Checks answers in the browser, so it works in JupyterLab,
// in Voila and in the static book with no kernel. Builds the DOM with textContent only
// (nothing is parsed as HTML). Progress stays in this browser (localStorage) when
// `persist` is on; nothing is sent anywhere. With a kernel, each answer is also synced
// to Python through the `answers` and `last_answer` traits.
// `live` (the live quiz in a session): one question asked to the room; the answer is sent
// once, and when the facilitator reveals (`reveal`), everyone sees the right answer, also
// people who did not answer.

const STORE_PREFIX = "peercare-quiz:";

function loadProgress(key) {
  try {
    const raw = window.localStorage.getItem(key);
    const data = raw ? JSON.parse(raw) : null;
    return data && typeof data === "object" && data.answers ? data : { answers: {} };
  } catch (e) {
    return { answers: {} };
  }
}

function saveProgress(key, data) {
  try {
    window.localStorage.setItem(key, JSON.stringify(data));
  } catch (e) {
    /* storage full or blocked: the quiz still works, it just forgets on reload */
  }
}

function clearProgress(key) {
  try {
    window.localStorage.removeItem(key);
  } catch (e) {
    /* ignore */
  }
}

function sameSet(a, b) {
  if (a.length !== b.length) return false;
  const s = new Set(a);
  return b.every((x) => s.has(x));
}

function render({ model, el: root }) {
  const questions = model.get("questions") || [];
  const quizId = model.get("quiz_id") || "quiz";
  const persist = model.get("persist");
  const live = model.get("live");
  const key = STORE_PREFIX + quizId;
  const uid = `pcq-${quizId.replace(/[^a-z0-9_-]/gi, "")}-${++counter}`;
  let progress = persist ? loadProgress(key) : { answers: {} };

  const wrap = el("section", { class: "pcq", "aria-labelledby": `${uid}-title` });
  const title = el("h3", { class: "pcq-title", id: `${uid}-title` }, model.get("title") || "Self-check");
  wrap.appendChild(title);
  const intro = model.get("intro");
  if (intro) wrap.appendChild(el("p", { class: "pcq-intro" }, intro));
  wrap.appendChild(
    el(
      "p",
      { class: "pcq-privacy" },
      live
        ? "Your answer goes to the room without your name. The facilitator sees only how many people chose each answer."
        : persist
          ? "Your answers stay on this device. Nothing is sent anywhere."
          : "Your answers are not kept anywhere."
    )
  );

  const items = [];
  const list = el("ol", { class: "pcq-list" });
  questions.forEach((q, qi) => {
    const li = el("li", { class: "pcq-item" });
    const fs = el("fieldset", { class: "pcq-q", id: `${uid}-q${qi}` });
    const legend = el("legend", { class: "pcq-prompt" });
    if (!live) legend.appendChild(el("span", { class: "pcq-num" }, `Question ${qi + 1} of ${questions.length}. `));
    legend.appendChild(document.createTextNode(q.prompt));
    if (q.scenario) {
      const sc = el("p", { class: "pcq-scenario" });
      sc.appendChild(el("strong", {}, "The situation: "));
      sc.appendChild(document.createTextNode(q.scenario));
      fs.appendChild(sc);
    }
    fs.insertBefore(legend, fs.firstChild);
    const multi = q.kind === "multiple";
    if (multi) fs.appendChild(el("p", { class: "pcq-hint" }, "Choose all that apply."));
    const inputs = [];
    const opts = el("div", { class: "pcq-options" });
    q.options.forEach((o, oi) => {
      const id = `${uid}-q${qi}-o${oi}`;
      const label = el("label", { class: "pcq-option", for: id });
      const input = el("input", {
        type: multi ? "checkbox" : "radio",
        name: `${uid}-q${qi}`,
        id,
        value: o.id,
      });
      label.appendChild(input);
      label.appendChild(el("span", {}, o.text));
      opts.appendChild(label);
      inputs.push(input);
    });
    fs.appendChild(opts);
    const check = el("button", { type: "button", class: "pcq-check" }, live ? "Send my answer" : "Check answer");
    fs.appendChild(check);
    const feedback = el("div", { class: "pcq-feedback", role: "status", "aria-live": "polite" });
    fs.appendChild(feedback);
    li.appendChild(fs);
    list.appendChild(li);
    items.push({ q, inputs, check, feedback });
  });
  wrap.appendChild(list);

  const summary = el("div", { class: "pcq-summary", role: "status", "aria-live": "polite" });
  const retry = el("button", { type: "button", class: "pcq-retry" }, "Start over");
  wrap.appendChild(summary);
  wrap.appendChild(retry);
  root.appendChild(wrap);

  function showAnswer(item) {
    // live quiz, revealed, for someone who did not answer: the right answer and why
    const { q, feedback } = item;
    feedback.textContent = "";
    feedback.className = "pcq-feedback pcq-empty";
    const right = q.options.filter((o) => o.correct);
    feedback.appendChild(el("p", { class: "pcq-verdict" }, right.length > 1 ? "The right answers:" : "The right answer:"));
    for (const o of right) {
      const p = el("p", { class: "pcq-why" });
      p.appendChild(el("strong", {}, `${o.text}: `));
      p.appendChild(document.createTextNode(o.feedback));
      feedback.appendChild(p);
    }
  }

  function lock(item) {
    // live quiz: one answer per question, and none after the reveal
    item.inputs.forEach((i) => (i.disabled = true));
    item.check.disabled = true;
  }

  function showFeedback(item, chosen) {
    const { q, feedback } = item;
    feedback.textContent = "";
    if (!chosen.length) {
      feedback.className = "pcq-feedback pcq-empty";
      feedback.appendChild(el("p", {}, "Choose an answer first, then check it."));
      return;
    }
    const correctIds = q.options.filter((o) => o.correct).map((o) => o.id);
    const ok = sameSet(chosen, correctIds);
    if (!model.get("reveal")) {
      // live quiz: the facilitator reveals the answer to the whole room later
      feedback.className = "pcq-feedback pcq-empty";
      feedback.appendChild(el("p", { class: "pcq-verdict" }, "✓ Your answer is in. The facilitator will show the answer soon."));
      return ok;
    }
    feedback.className = "pcq-feedback " + (ok ? "pcq-right" : "pcq-wrong");
    feedback.appendChild(el("p", { class: "pcq-verdict" }, ok ? "✓ Correct." : live ? "✗ Not quite." : "✗ Not quite. Try again if you like."));
    for (const o of q.options) {
      if (chosen.includes(o.id)) {
        const p = el("p", { class: "pcq-why" });
        p.appendChild(el("strong", {}, `${o.text}: `));
        p.appendChild(document.createTextNode(o.feedback));
        feedback.appendChild(p);
      }
    }
    if (live && !ok) {
      for (const o of q.options) {
        if (o.correct && !chosen.includes(o.id)) {
          const p = el("p", { class: "pcq-why" });
          p.appendChild(el("strong", {}, `The right answer: ${o.text}: `));
          p.appendChild(document.createTextNode(o.feedback));
          feedback.appendChild(p);
        }
      }
    } else if (q.kind === "multiple" && !ok) {
      const missed = q.options.filter((o) => o.correct && !chosen.includes(o.id)).length;
      if (missed) feedback.appendChild(el("p", { class: "pcq-why" }, `There is more to choose: ${missed} more right answer${missed > 1 ? "s" : ""}.`));
    }
    return ok;
  }

  function updateSummary() {
    const answered = items.filter((it) => progress.answers[it.q.id]);
    const right = answered.filter((it) => progress.answers[it.q.id].correct).length;
    if (!answered.length || !model.get("reveal") || live) {
      summary.textContent = "";
      retry.hidden = true;
      return;
    }
    retry.hidden = false;
    let text = `You have checked ${answered.length} of ${items.length} questions. ${right} right so far.`;
    if (answered.length === items.length) {
      text =
        right === items.length
          ? `All ${items.length} right. Well done.`
          : `Done: ${right} of ${items.length} right. Look again at the ones marked "Not quite", or start over.`;
    }
    summary.textContent = text;
  }

  function record(item, chosen, ok) {
    progress.answers[item.q.id] = { chosen, correct: ok };
    if (persist) saveProgress(key, progress);
    const answers = Object.assign({}, model.get("answers") || {});
    answers[item.q.id] = chosen;
    const n = ((model.get("last_answer") || {}).n || 0) + 1;
    model.set("answers", answers);
    model.set("last_answer", { question: item.q.id, chosen, n });
    model.save_changes();
  }

  items.forEach((item) => {
    item.check.addEventListener("click", () => {
      const chosen = item.inputs.filter((i) => i.checked).map((i) => i.value);
      const ok = showFeedback(item, chosen);
      if (chosen.length) {
        record(item, chosen, ok);
        if (live) lock(item);
      }
      updateSummary();
    });
    const saved = progress.answers[item.q.id];
    if (saved && Array.isArray(saved.chosen)) {
      item.inputs.forEach((i) => (i.checked = saved.chosen.includes(i.value)));
      showFeedback(item, saved.chosen);
    }
  });

  function revealAll() {
    const shown = live && model.get("reveal");
    items.forEach((item) => {
      const saved = progress.answers[item.q.id];
      if (saved) showFeedback(item, saved.chosen);
      else if (shown) showAnswer(item);
      if (shown) lock(item);
    });
    updateSummary();
  }
  model.on("change:reveal", revealAll);
  if (live && model.get("reveal")) revealAll();

  retry.addEventListener("click", () => {
    progress = { answers: {} };
    if (persist) clearProgress(key);
    items.forEach((it) => {
      it.inputs.forEach((i) => (i.checked = false));
      it.feedback.textContent = "";
      it.feedback.className = "pcq-feedback";
    });
    updateSummary();
    if (items.length) items[0].inputs[0].focus();
  });

  updateSummary();
}

export default { render };
