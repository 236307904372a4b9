"""Building the static book: the browser files from npm, the jupyter-cache, Jupyter Book.

A rebuild skips the steps whose inputs have not changed since they last succeeded, judged
by the inputs' content (:mod:`peercare.book.buildstamps`): the banks' check, the icon font and
the search for stale cached runs.
"""

from __future__ import annotations

import filecmp
import hashlib
import shutil
import subprocess
import sys
from pathlib import Path

from ..paths import STATIC_DIR, SUPPORT_FILE, bank_paths, book_dir, project_root
from .buildstamps import Stamps, digest, package_file
from .icons import ICON_FONT, write_icon_font


class BuildError(RuntimeError):
    """The book could not be built; the message says why and what to do."""


# Our own files served from _static/widgets/: the page widgets' loader and the book's styles.
# (The widgets' modules are written there by peercare.book.sphinxext, from the built pages.)
_OWN_FILES = ["widget-loader.js", "book.css"]


def widgets_dir(root: Path) -> Path:
    return root / "web" / "dist" / "widgets"


def npm_install(root: Path) -> None:
    """``npm ci`` in web/ unless node_modules was installed from this exact lock file."""
    web = root / "web"
    lock_hash = hashlib.sha256((web / "package-lock.json").read_bytes()).hexdigest()
    stamp = web / "node_modules" / ".peercare-lock.sha256"
    if stamp.is_file() and stamp.read_text().strip() == lock_hash:
        return
    if (web / "node_modules").is_symlink():
        raise BuildError(f"{web / 'node_modules'} is a link to another install; not touching it.")
    npm = shutil.which("npm")
    if npm is None:
        raise BuildError("npm is not installed. Install Node.js and npm, then run this again.")
    cmd = [npm, "ci", "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error"]
    result = subprocess.run(cmd, cwd=web, capture_output=True, text=True)
    if result.returncode:
        raise BuildError(f"npm ci failed in {web}:\n{result.stderr.strip()}")
    stamp.write_text(lock_hash)


def _copy_if_changed(src: Path, dst: Path) -> None:
    if not dst.exists() or not filecmp.cmp(src, dst, shallow=False):
        shutil.copyfile(src, dst)


def install_widget_js(root: Path | None = None, stamps: Stamps | None = None) -> Path:
    """Put our loader, styles and icon font in web/dist/widgets (served as _static/widgets);
    a file is written only when its bytes change."""
    root = root or project_root()
    npm_install(root)  # axe-core for the accessibility tests
    out = widgets_dir(root)
    out.mkdir(parents=True, exist_ok=True)
    for name in _OWN_FILES:
        _copy_if_changed(root / "web" / name, out / name)
    write_icon_font(out / ICON_FONT, stamps)
    return out


def check_banks(root: Path, stamps: Stamps) -> None:
    """Check every question bank (:func:`peercare.content.bank.load_all`: a broken bank stops the
    build with a clear message), unless the banks, the code that checks them and its
    libraries are byte for byte what the last passing check read."""
    here = Path(__file__).parents[1] / "content"  # the modules that read the files
    code = [here / "bank.py", here / "schema.py"]
    code += [package_file("pydantic", "version.py"), package_file("yaml")]  # their versions
    key = digest([*code, *bank_paths(root)])
    if stamps.fresh("banks", key):
        return
    from ..content.bank import load_all

    load_all(root)
    stamps.record({"banks": key})


def chapter_data_files(page: Path) -> list[Path]:
    """Files a chapter page's output depends on beyond its own code: the YAML beside it
    (question bank, plan...), the widgets' JavaScript and CSS, which are embedded in the
    page's widget state, and the support list (``data/support.yml``) that pages render."""
    if page.parent.name == "book":
        return []
    static = sorted(f for f in STATIC_DIR.iterdir() if f.is_file())
    return sorted(page.parent.glob("*.yml")) + static + [SUPPORT_FILE]


def drop_stale_cache(root: Path) -> list[str]:
    """Forget cached runs of chapters whose inputs (see :func:`chapter_data_files`) changed.

    jupyter-cache keys a run on the notebook's code only, and Sphinx re-reads a page only
    when its source changes, so an edited bank or widget script would otherwise leave the
    old quiz in the page. The page's source is touched so that Sphinx reads it again.
    Inputs are compared by content, a digest per chapter folder kept in the build folder
    (:mod:`peercare.book.buildstamps`); a folder without one (a first build) counts as changed.
    When nothing changed, the cache's database is not opened.
    """
    root = root.resolve()  # cached runs name their pages by absolute path
    book = book_dir(root)
    stamps = Stamps(root)
    keys = {}
    for folder in sorted({p.parent for p in book.rglob("*") if p.is_file()} - {book}):
        step = f"chapter-inputs:{folder.relative_to(root).as_posix()}"
        keys[step] = digest(chapter_data_files(folder / "index.md"))
    changed = {step: key for step, key in keys.items() if not stamps.fresh(step, key)}
    if not changed:
        return []
    stale = {root / step.split(":", 1)[1] for step in changed}
    dropped = []
    cache_dir = root / "_build" / ".jupyter_cache"
    if cache_dir.is_dir():
        from jupyter_cache import get_cache

        cache = get_cache(cache_dir)
        for record in cache.list_cache_records():
            uri = Path(record.uri)
            if uri.parent in stale:
                cache.remove_cache(record.pk)
                if uri.is_file():
                    uri.touch()
                dropped.append(str(uri.relative_to(root)) if uri.is_relative_to(root) else str(uri))
    stamps.record(changed)  # only now: a crash before this drops the same runs next time
    return dropped


def build(root: Path | None = None, *, quiet: bool = False) -> Path:
    """Build the book into ``_build/html``; warnings and execution errors fail the build."""
    root = root or project_root()
    stamps = Stamps(root)
    check_banks(root, stamps)  # a broken bank stops the build before Sphinx runs
    install_widget_js(root, stamps)
    # the subprocess also drops stale cached runs (drop_stale_cache) before building
    cmd = [sys.executable, "-m", "peercare.book.jupyter_book_main", "build", str(root)]
    cmd += ["--warningiserror", "--keep-going"]
    if quiet:
        cmd.append("--quiet")
    result = subprocess.run(cmd, cwd=root, capture_output=quiet, text=True)
    if result.returncode:
        detail = ((result.stderr or "") + (result.stdout or ""))[-6000:] if quiet else ""
        raise BuildError(f"The book build failed (warnings count as errors).\n{detail}".strip())
    out = root / "_build" / "html"
    _sync_static(widgets_dir(root), out / "_static" / "widgets")
    return out


def _sync_static(src: Path, dst: Path) -> None:
    """Sphinx copies static files only when some page was out of date; an edit to
    ``web/book.css`` alone (the print stylesheet, say) must still reach the built book."""
    if not dst.is_dir():
        return
    for f in src.iterdir():
        if f.is_file():
            _copy_if_changed(f, dst / f.name)
