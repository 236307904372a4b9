"""Sphinx extension for the book: the crisis-help footer on every page (from ``help.yml``),
the content licence line, the ``session-plan`` directive that renders a plan's YAML, and the
``fidelity-checklist`` directive."""

from __future__ import annotations

from pathlib import Path

from docutils import nodes
from sphinx.util.docutils import SphinxDirective

from . import helpnow

LICENCE = "Text: CC BY 4.0. Code: MIT. Free to share and adapt with credit."


def _set_footer(app, config) -> None:
    options = dict(config.html_theme_options or {})
    options["extra_footer"] = (
        helpnow.load().as_html() + f'<p class="peercare-licence">{LICENCE}</p>'
    )
    config.html_theme_options = options


def _drop_thebe(app) -> None:
    """Jupyter Book always loads sphinx-thebe; the book runs no code, so unhook it.

    Its scripts declare ``const THEBE_JS_URL`` (a CDN address) and raised a duplicate
    declaration error on every page.
    """
    for listeners in app.events.listeners.values():
        for listener in list(listeners):
            if getattr(listener.handler, "__module__", "").startswith("sphinx_thebe"):
                app.disconnect(listener.id)
    # Its stylesheet is registered at set-up but never copied once unhooked: a 404 per page.
    app.registry.css_files = [
        (name, attrs) for name, attrs in app.registry.css_files if name != "sphinx-thebe.css"
    ]


class SessionPlan(SphinxDirective):
    """``{session-plan} <id>``: the plan ``<id>.yml`` beside the page, as agenda and scripts.

    A broken plan fails the build with the plan's own messages."""

    required_arguments = 1

    def run(self):
        from .plans import PlanError, load_plan, render_html

        here = Path(self.env.doc2path(self.env.docname)).parent
        path = here / f"{self.arguments[0]}.yml"
        self.env.note_dependency(str(path))
        root = Path(self.env.srcdir)
        try:
            plan = load_plan(path, root)
        except PlanError as exc:
            raise self.error(str(exc)) from None
        for chapter in {s.chapter for s in plan.segments if s.chapter}:
            self.env.note_dependency(str(root / "book" / chapter / "index.md"))
        depth = self.env.docname.count("/") - 1
        return [nodes.raw("", render_html(plan, root, page_depth=depth), format="html")]


class FidelityChecklist(SphinxDirective):
    """``{fidelity-checklist}``: the checklist in ``book/facilitators/fidelity.yml``.

    A broken checklist fails the build with its own messages."""

    def run(self):
        from .fidelity import FIDELITY_FILE, FidelityError, load_fidelity, render_html

        root = Path(self.env.srcdir)
        self.env.note_dependency(str(root / "book" / FIDELITY_FILE))
        try:
            checklist = load_fidelity(root)
        except FidelityError as exc:
            raise self.error(str(exc)) from None
        return [nodes.raw("", render_html(checklist), format="html")]


def setup(app):
    _drop_thebe(app)
    app.connect("config-inited", _set_footer)
    app.add_css_file("widgets/book.css")
    app.add_directive("session-plan", SessionPlan)
    app.add_directive("fidelity-checklist", FidelityChecklist)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1"}
