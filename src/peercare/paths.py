"""Where the kit's files live: the project root (the folder with ``_toc.yml``) and its parts."""

from __future__ import annotations

import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
DATA_DIR = PACKAGE_DIR / "data"
STATIC_DIR = PACKAGE_DIR / "static"
SUPPORT_FILE = DATA_DIR / "support.yml"  # read by peercare.content.support
BANK_FILENAME = "questions.yml"  # a chapter's question bank (peercare.content.bank)
DATA_ENV = "PEERCARE_DATA_DIR"


class ProjectNotFound(RuntimeError):
    """Raised when no folder with ``_toc.yml`` can be found."""


def project_root(start: Path | None = None) -> Path:
    """The kit's root folder.

    ``PEERCARE_ROOT`` wins; then the nearest folder at or above ``start`` (default: the
    working directory) that holds ``_toc.yml``; then the checkout this package sits in.
    """
    env = os.environ.get("PEERCARE_ROOT")
    if env:
        root = Path(env).expanduser().resolve()
        if not (root / "_toc.yml").is_file():
            raise ProjectNotFound(f"PEERCARE_ROOT={env} has no _toc.yml")
        return root
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / "_toc.yml").is_file():
            return folder
    checkout = PACKAGE_DIR.parent.parent
    if (checkout / "_toc.yml").is_file():
        return checkout
    raise ProjectNotFound(
        "Could not find the kit's folder (the one with _toc.yml). "
        "Run the command inside the checkout or set PEERCARE_ROOT."
    )


def book_dir(root: Path | None = None) -> Path:
    return (root or project_root()) / "book"


def bank_paths(root: Path | None = None) -> list[Path]:
    """Every chapter's question bank, ``book/*/questions.yml``."""
    return sorted(book_dir(root).glob(f"*/{BANK_FILENAME}"))


def build_html_dir(root: Path | None = None) -> Path:
    return (root or project_root()) / "_build" / "html"


def data_dir() -> Path:
    """Where a running kit keeps its files (session store, logs): ``$PEERCARE_DATA_DIR``,
    else ``data/`` in the kit's folder."""
    env = os.environ.get(DATA_ENV)
    return Path(env).expanduser() if env else project_root() / "data"


def toc_pages(root: Path) -> list[str]:
    """Every page of ``_toc.yml``, in reading order, as paths without suffix."""
    import yaml

    toc = yaml.safe_load((root / "_toc.yml").read_text(encoding="utf-8"))
    pages: list[str] = []

    def walk(node):
        if isinstance(node, dict):
            for key in ("root", "file"):
                if isinstance(node.get(key), str):
                    pages.append(node[key])
            for value in node.values():
                if isinstance(value, list):
                    for item in value:
                        walk(item)

    walk(toc)
    return pages
