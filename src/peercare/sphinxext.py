"""Sphinx extension for the book: the crisis-help footer on every page, from ``help.yml``."""

from __future__ import annotations

from . import helpnow


def _set_footer(app, config) -> None:
    options = dict(config.html_theme_options or {})
    options["extra_footer"] = helpnow.load().as_html()
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


def setup(app):
    _drop_thebe(app)
    app.connect("config-inited", _set_footer)
    app.add_css_file("widgets/book.css")
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1"}
