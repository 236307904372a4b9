"""Widgets in the static book without the ipywidgets manager.

A built chapter's code cells leave anywidget views (``widget-view+json``) and the widgets'
state. Here each view becomes a placeholder ``<div class="pc-widget">`` holding the
widget's traits as JSON and, for the quiz and the reflection, their first drawing as plain
HTML (so the page reads and prints before any script runs; no answers or feedback in it). ``web/widget-loader.js`` runs the widget's own module
with a small model (``get``/``set``/``on``/``save_changes``, what anywidget gives it) when the
widget comes near the screen. The module is the same ``_esm`` JupyterLab and Voila run
through anywidget; it is saved once as a classic script (``export default`` turned into a
registration call) because Chromium will not load ES modules from ``file://`` pages.
"""

from __future__ import annotations

import hashlib
import html
import json
import re

VIEW_MIME = "application/vnd.jupyter.widget-view+json"
VIEW_RE = re.compile(r'<script type="application/vnd\.jupyter\.widget-view\+json">(.*?)</script>')
MODULE_DIR = "m"  # under _static/widgets/
_NOT_TRAITS = {"_esm", "_css", "_anywidget_id", "_dom_classes", "layout", "tabbable", "tooltip"}
_EXPORT = re.compile(r"^export default ", re.M)
_OTHER_MODULE_SYNTAX = re.compile(r"^\s*(import\s|export\s)", re.M)


class WidgetModuleError(ValueError):
    """A widget's module cannot run outside Jupyter; the message says which and why."""


def classic_script(name: str, esm: str) -> str:
    """``esm`` (no imports, one top-level ``export default``) as a classic script that hands
    its default export to ``peercareDefine(name, ...)`` (see web/widget-loader.js)."""
    if len(_EXPORT.findall(esm)) != 1:
        raise WidgetModuleError(f"widget module {name}: needs one top-level `export default`")
    body = _EXPORT.sub("return ", esm)
    if _OTHER_MODULE_SYNTAX.search(body):
        raise WidgetModuleError(f"widget module {name}: imports or named exports cannot run here")
    return f'peercareDefine("{name}", function () {{\n"use strict";\n{body}\n}});\n'


def module_name(anywidget_id: str, esm: str) -> str:
    short = anywidget_id.rsplit(".", 1)[-1].lower() or "widget"
    return f"{short}-{hashlib.sha256(esm.encode()).hexdigest()[:12]}"


def traits(state: dict) -> dict:
    """The traits a widget's module reads: no code, no styles, no ipywidgets plumbing."""
    return {
        k: v
        for k, v in state.items()
        if k not in _NOT_TRAITS and not k.startswith(("_model_", "_view_"))
    }


def _script_json(data: object) -> str:
    return json.dumps(data, ensure_ascii=False).replace("</", "<\\/")


def view_model_id(raw_html: str) -> str | None:
    match = VIEW_RE.fullmatch(raw_html.strip())
    return json.loads(match.group(1)).get("model_id") if match else None


def placeholder(module: str, state: dict, prerendered: str = "") -> str:
    inner = f'<div class="pc-widget-static">{prerendered}</div>' if prerendered else ""
    return (
        f'<div class="pc-widget" data-module="{module}">{inner}'
        f'<script type="application/json" class="pc-widget-state">{_script_json(state)}</script>'
        "</div>"
    )


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def quiz_html(state: dict, instance: int = 1) -> str:
    """The quiz as ``static/quiz.js`` first draws it (no answers checked), without the
    feedback or which option is right. Keep in step with quiz.js's ``render``; the browser
    test compares the two."""
    quiz_id = state.get("quiz_id") or "quiz"
    questions = state.get("questions") or []
    uid = f"pcq-{re.sub(r'[^a-z0-9_-]', '', quiz_id, flags=re.I)}-{instance}"
    privacy = (
        "Your answers stay on this device. Nothing is sent anywhere."
        if state.get("persist")
        else "Your answers are anonymous. No name is kept."
    )
    out = [f'<section class="pcq" aria-labelledby="{uid}-title">',
           f'<h3 class="pcq-title" id="{uid}-title">{_e(state.get("title") or "Self-check")}</h3>']  # fmt: skip
    if state.get("intro"):
        out.append(f'<p class="pcq-intro">{_e(state["intro"])}</p>')
    out.append(f'<p class="pcq-privacy">{privacy}</p><ol class="pcq-list">')
    for qi, q in enumerate(questions):
        multi = q.get("kind") == "multiple"
        out.append(f'<li class="pcq-item"><fieldset class="pcq-q" id="{uid}-q{qi}">')
        out.append(f'<legend class="pcq-prompt"><span class="pcq-num">Question {qi + 1} of '
                   f"{len(questions)}. </span>{_e(q['prompt'])}</legend>")  # fmt: skip
        if q.get("scenario"):
            out.append(f'<p class="pcq-scenario"><strong>The situation: </strong>{_e(q["scenario"])}</p>')  # fmt: skip
        if multi:
            out.append('<p class="pcq-hint">Choose all that apply.</p>')
        out.append('<div class="pcq-options">')
        for oi, o in enumerate(q["options"]):
            oid = f"{uid}-q{qi}-o{oi}"
            kind = "checkbox" if multi else "radio"
            out.append(f'<label class="pcq-option" for="{oid}"><input type="{kind}" '
                       f'name="{uid}-q{qi}" id="{oid}" value="{_e(o["id"])}">'
                       f"<span>{_e(o['text'])}</span></label>")  # fmt: skip
        out.append('</div><button type="button" class="pcq-check">Check answer</button>'
                   '<div class="pcq-feedback" role="status" aria-live="polite"></div>'
                   "</fieldset></li>")  # fmt: skip
    out.append('</ol><div class="pcq-summary" role="status" aria-live="polite"></div>'
               '<button type="button" class="pcq-retry" hidden="">Start over</button></section>')  # fmt: skip
    return "".join(out)


def reflection_html(state: dict, instance: int = 1) -> str:
    """The reflection prompts as ``static/reflection.js`` draws them, so they read and print
    (each with its box to write in) before any script runs."""
    uid = f"pcr-{instance}"
    out = [f'<section class="pcr" aria-labelledby="{uid}-title">',
           f'<h3 class="pcr-title" id="{uid}-title">{_e(state.get("title") or "Reflection")}</h3>',
           '<p class="pcr-privacy">Private: what you type stays in this page only. It is not '
           "saved or sent, and it is gone when you close the page.</p>"]  # fmt: skip
    for i, prompt in enumerate(state.get("prompts") or []):
        out.append(f'<label class="pcr-prompt" for="{uid}-p{i}">{_e(prompt)}</label>'
                   f'<textarea id="{uid}-p{i}" rows="4" autocomplete="off" spellcheck="true">'
                   "</textarea>")  # fmt: skip
    out.append('<div class="pcr-actions"><button type="button" class="pcr-button">Save a copy '
               'to this device</button><button type="button" class="pcr-button pcr-secondary">'
               "Clear</button></div></section>")  # fmt: skip
    return "".join(out)


# widgets whose first drawing is in the page's HTML; keep each in step with its module
PRERENDER = {
    "peercare.book.quiz.Quiz": quiz_html,
    "peercare.book.widgets.Reflection": reflection_html,
}


class PageWidgets:
    """Turns one page's widget views into placeholders; collects the files they need."""

    def __init__(self, state: dict):
        self.state = state  # model id -> {"model_name", "model_module", "state"}
        self.files: dict[str, str] = {}  # file name under _static/widgets/m/ -> text
        self.css: list[str] = []
        self._count: dict[str, int] = {}

    def convertible(self, model_ids: list[str]) -> bool:
        return all(
            self.state.get(m, {}).get("model_module") == "anywidget"
            and "_esm" in self.state[m]["state"]
            for m in model_ids
        )

    def placeholder(self, model_id: str) -> str:
        st = self.state[model_id]["state"]
        wid = st.get("_anywidget_id", "")
        esm = st["_esm"]
        name = module_name(wid, esm)
        self.files[f"{name}.js"] = classic_script(name, esm)
        css = None
        if st.get("_css"):
            css = f"{MODULE_DIR}/{module_name('styles', st['_css'])}.css"
            self.files[css.split("/", 1)[1]] = st["_css"]
            if css not in self.css:
                self.css.append(css)
        self._count[name] = self._count.get(name, 0) + 1
        data = traits(st)
        render = PRERENDER.get(wid)
        pre = render(data, self._count[name]) if render else ""
        return placeholder(name, data, pre)
