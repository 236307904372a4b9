"""Sphinx extension for the book: the crisis-help footer on every page (from ``help.yml``),
the content licence line, the ``session-plan`` directive that renders a plan's YAML, the
``fidelity-checklist`` directive, and the page widgets run by our small loader instead of
the ipywidgets manager (:mod:`peercare.book.bookwidgets`)."""

from __future__ import annotations

import json
from pathlib import Path

from docutils import nodes
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

from ..content import helpnow
from . import bookwidgets, pagefix
from .buildstamps import Stamps, digest, package_file

log = logging.getLogger(__name__)

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


def _plan_html(path: Path, root: Path, depth: int) -> str:
    from ..content.plans import load_plan, render_html

    return render_html(load_plan(path, root), root, page_depth=depth)


def _plan_inputs(root: Path, plan: Path) -> str:
    """A digest of all a plan's page may read: its YAML, the pages of ``book/`` (chapters'
    headings, guide pages' titles), the live apps' names, the code (and docutils, which
    makes the headings' anchors)."""
    here = Path(__file__).parents[1] / "content"  # the modules that read the files
    code = [here / "plans.py", here / "prose.py", here / "schema.py", package_file("docutils")]
    pages = sorted((root / "book").rglob("*.md"))
    apps = sorted(p.name for p in (root / "notebooks" / "apps").glob("*.ipynb"))
    return digest([plan, *pages, *code], *apps)


class SessionPlan(SphinxDirective):
    """``{session-plan} <id>``: the plan ``<id>.yml`` beside the page, as agenda and scripts.

    A broken plan fails the build with the plan's own messages. The page depends on the
    plan's YAML (a file dependency) and on what the plan shows of chapters and guide
    pages, checked by :func:`_plans_outdated` from the digests kept here. (As file
    dependencies, a touched chapter read and wrote all its plans' pages again.)"""

    required_arguments = 1

    def run(self):
        from ..content.plans import PlanError

        here = Path(self.env.doc2path(self.env.docname)).parent
        path = here / f"{self.arguments[0]}.yml"
        self.env.note_dependency(str(path))
        root = Path(self.env.srcdir)
        depth = self.env.docname.count("/") - 1
        inputs = _plan_inputs(root, path)  # before rendering: a later edit shows as a change
        try:
            html = _plan_html(path, root, depth)
        except PlanError as exc:
            raise self.error(str(exc)) from None
        plans = _plans(self.env).setdefault(self.env.docname, {})
        plans[str(path)] = [depth, inputs, digest([], html)]
        return [nodes.raw("", html, format="html")]


def _plans(env) -> dict[str, dict[str, list]]:
    """docname -> {plan file: [page depth, digest of the inputs, digest of the HTML]}."""
    if not hasattr(env, "peercare_plans"):
        env.peercare_plans = {}
    return env.peercare_plans


def _plans_outdated(app, env, added, changed, removed) -> list[str]:
    """Pages with plans to read again: when the inputs changed (:func:`_plan_inputs`), the
    plan is rendered again, and its page is read again if the HTML differs (or fails)."""
    root, outdated = Path(env.srcdir), []
    for docname, plans in _plans(env).items():
        if docname in added | changed | removed:
            continue
        for path, seen in plans.items():
            depth, seen_inputs, key = seen
            inputs = _plan_inputs(root, Path(path))
            if seen_inputs == inputs:
                continue
            try:
                same = digest([], _plan_html(Path(path), root, depth)) == key
            except Exception:  # read the page again: its directive reports the problem
                same = False
            if not same:
                outdated.append(docname)
                break
            seen[1] = inputs  # the same page from these inputs: no need to render again
    return outdated


class FidelityChecklist(SphinxDirective):
    """``{fidelity-checklist}``: the checklist in ``book/facilitators/fidelity.yml``.

    A broken checklist fails the build with its own messages."""

    def run(self):
        from ..content.fidelity import FIDELITY_FILE, FidelityError, load_fidelity, render_html

        root = Path(self.env.srcdir)
        self.env.note_dependency(str(root / "book" / FIDELITY_FILE))
        try:
            checklist = load_fidelity(root)
        except FidelityError as exc:
            raise self.error(str(exc)) from None
        return [nodes.raw("", render_html(checklist), format="html")]


def _widgets_read(app, doctree) -> None:
    """Swap the page's anywidget views for placeholders the loader runs, and drop the
    ipywidgets state and scripts that myst-nb registered for the page."""
    env, docname = app.env, app.env.docname
    js_files = getattr(env, "nb_metadata", {}).get(docname, {}).get("js_files", {})
    if "ipywidgets_state" not in js_files:
        return
    state = json.loads(js_files["ipywidgets_state"][1]["body"])["state"]
    views = [(n, bookwidgets.view_model_id(n.astext())) for n in doctree.findall(nodes.raw)]
    views = [(n, m) for n, m in views if m]
    page = bookwidgets.PageWidgets(state)
    if not page.convertible([m for _, m in views]):
        log.warning(
            "a widget on this page is not an anywidget: the book runs anywidgets only "
            "(plain ipywidgets need a kernel for their Python callbacks)",
            location=docname,
        )
        return
    try:
        for node, model_id in views:
            node.replace_self(nodes.raw("", page.placeholder(model_id), format="html"))
    except bookwidgets.WidgetModuleError as exc:
        log.warning(str(exc), location=docname)
        return
    env.note_dependency(bookwidgets.__file__)  # read again when the conversion changes
    for key in [k for k in js_files if k.startswith("ipywidgets_")]:
        del js_files[key]
    env.peercare_widgets = getattr(env, "peercare_widgets", {})
    env.peercare_widgets[docname] = {"files": page.files, "css": page.css}


def _purge_doc(app, env, docname) -> None:
    getattr(env, "peercare_widgets", {}).pop(docname, None)
    _plans(env).pop(docname, None)


def _merge_info(app, env, docnames, other) -> None:
    env.peercare_widgets = getattr(env, "peercare_widgets", {})
    for docname in docnames:
        if docname in getattr(other, "peercare_widgets", {}):
            env.peercare_widgets[docname] = other.peercare_widgets[docname]
        if docname in _plans(other):
            _plans(env)[docname] = _plans(other)[docname]


def _widgets_page(app, pagename, templatename, context, doctree) -> None:
    page = getattr(app.env, "peercare_widgets", {}).get(pagename)
    if page:
        for css in page["css"]:
            app.add_css_file(f"widgets/{css}")
        app.add_js_file("widgets/widget-loader.js", loading_method="defer")


def _template_cache(app) -> None:
    """Keep the theme's compiled page templates in the build folder (jinja2's bytecode
    cache, which checks each template's source): compiling them again was a large part
    of writing the few pages of a rebuild."""
    environment = getattr(getattr(app.builder, "templates", None), "environment", None)
    if environment is not None:
        from jinja2 import FileSystemBytecodeCache

        folder = Path(app.doctreedir).parent / ".jinja-cache"
        folder.mkdir(parents=True, exist_ok=True)
        environment.bytecode_cache = FileSystemBytecodeCache(str(folder))


def _note_written(app, pagename, templatename, context, doctree) -> None:
    """Note each page this build writes, for :func:`_finish` to lighten. Until it has, the
    stamp saying all pages are light is gone (a build that stops halfway leaves pages for
    the next build to lighten)."""
    if not hasattr(app, "peercare_written"):
        app.peercare_written = set()
        Stamps(Path(app.srcdir)).record({"pagefix": ""})
    app.peercare_written.add(Path(app.builder.get_outfilename(pagename)))


def _finish(app, exception) -> None:
    """Write the widget modules the pages need; make the pages lighter (peercare.book.pagefix):
    the pages written in this build and the theme's HTML files, which Sphinx copies again
    each build, or every page when the rewriting itself changed."""
    if exception or app.builder.format != "html":
        return
    out, stamps = Path(app.outdir), Stamps(Path(app.srcdir))
    key = digest([Path(pagefix.__file__)])
    pages = None
    if stamps.fresh("pagefix", key):
        pages = getattr(app, "peercare_written", set()) | set((out / "_static").rglob("*.html"))
    pagefix.lighten(out, pages)
    stamps.record({"pagefix": key})
    out = Path(app.outdir) / "_static" / "widgets" / bookwidgets.MODULE_DIR
    out.mkdir(parents=True, exist_ok=True)
    for page in getattr(app.env, "peercare_widgets", {}).values():
        for name, text in page["files"].items():
            target = out / name
            if not target.is_file() or target.read_text(encoding="utf-8") != text:
                target.write_text(text, encoding="utf-8")


def setup(app):
    _drop_thebe(app)
    app.connect("config-inited", _set_footer)
    app.connect("builder-inited", _template_cache)
    app.add_css_file("widgets/book.css")
    app.add_directive("session-plan", SessionPlan)
    app.add_directive("fidelity-checklist", FidelityChecklist)
    app.connect("doctree-read", _widgets_read)
    app.connect("env-get-outdated", _plans_outdated)
    app.connect("env-purge-doc", _purge_doc)
    app.connect("env-merge-info", _merge_info)
    app.connect("html-page-context", _note_written)
    app.connect("html-page-context", _widgets_page)
    app.connect("build-finished", _finish)
    # env_version: raise it when what a page's read leaves in the environment changes
    # (Sphinx then reads every page again instead of reusing old doctrees). Not raised for
    # peercare_plans: a plan page read before it still depends on its chapters' files,
    # so it is read again when they change, and keeps its digest from then on.
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1",
            "env_version": 3}  # fmt: skip
