"""``peercare handouts``: PDFs to print, made from the built book by Debian's Chromium.

One PDF per chapter, per session plan, and the fill-in pages (group agreements, your
organization's rules, the fidelity checklist). The book's print stylesheet
(``web/book.css``, ``@media print``) leaves out navigation and the self-check (so no quiz
answer is ever on paper), gives the reflection a box to write in, and keeps the crisis
lines and the licence line. Chromium runs headless, offline: it reads ``file://`` pages,
and every host name resolves to nothing.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from ..content.bank import BANK_FILENAME
from ..content.schema import ProblemsError
from ..paths import build_html_dir, project_root, toc_pages

CHROMIUM = "/usr/bin/chromium"
FILL_IN_PAGES = {
    "group-agreements": "book/facilitators/group-agreements",
    "your-rules": "book/facilitators/your-rules",
    "fidelity-checklist": "book/facilitators/fidelity",
}
PLANS_PAGE_PREFIX = "book/facilitators/plans/"
FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--no-first-run", "--disable-sync", "--disable-extensions",
    "--no-default-browser-check", "--host-resolver-rules=MAP * ~NOTFOUND",
    "--no-pdf-header-footer", "--virtual-time-budget=15000",
]  # fmt: skip
TIMEOUT = 300  # seconds per page, on a busy machine


class HandoutError(ProblemsError):
    """Handouts could not be made; one line per reason."""


@dataclass(frozen=True)
class Handout:
    name: str  # the PDF's file name, without .pdf
    page: str  # the book page, as in _toc.yml
    title: str  # the page's title (its first heading)


def _title(root: Path, page: str) -> str:
    text = (root / f"{page}.md").read_text(encoding="utf-8")
    m = re.search(r"^# (.+)$", text, re.M)
    return m.group(1).strip() if m else page


def handouts(root: Path | None = None) -> list[Handout]:
    """What gets printed, in book order: chapters, session plans, then fill-in pages."""
    root = root or project_root()
    pages = toc_pages(root)
    found = []
    for page in pages:
        folder = (root / page).parent
        if page.endswith("/index") and (folder / BANK_FILENAME).is_file():
            found.append(Handout(f"chapter-{folder.name}", page, _title(root, page)))
    for page in pages:
        name = page.removeprefix(PLANS_PAGE_PREFIX)
        if page.startswith(PLANS_PAGE_PREFIX) and (root / f"{page}.yml").is_file():
            found.append(Handout(f"plan-{name}", page, _title(root, page)))
    for name, page in FILL_IN_PAGES.items():
        if page in pages:
            found.append(Handout(name, page, _title(root, page)))
    return found


def _print(chromium: str, html_file: Path, pdf: Path) -> str | None:
    """Print one page; None when it worked, else why not."""
    pdf.unlink(missing_ok=True)
    with tempfile.TemporaryDirectory(prefix="peercare-chromium-") as profile:
        cmd = [chromium, *FLAGS, f"--user-data-dir={profile}", f"--print-to-pdf={pdf}"]
        try:
            result = subprocess.run(
                [*cmd, html_file.as_uri()], capture_output=True, text=True, timeout=TIMEOUT
            )
        except subprocess.TimeoutExpired:
            return f"{html_file}: Chromium took longer than {TIMEOUT} s"
    if result.returncode or not pdf.is_file() or pdf.stat().st_size == 0:
        detail = result.stderr.strip().splitlines()[-1:] or ["no output"]
        return f"{html_file}: Chromium did not print it (exit {result.returncode}): {detail[0]}"
    return None


def make_handouts(
    root: Path | None = None,
    out: Path | None = None,
    chromium: str | None = None,
    jobs: int = 2,
    only: list[str] | None = None,
) -> list[Path]:
    """Print every handout (or those named in ``only``) into ``out`` (default
    ``_build/handouts``) and return the PDFs' paths."""
    root = (root or project_root()).resolve()
    html_dir = build_html_dir(root)
    out = (out or root / "_build" / "handouts").resolve()
    chromium = chromium or shutil.which("chromium") or CHROMIUM
    if not Path(chromium).is_file():
        raise HandoutError(
            [f"Chromium is not at {chromium}: install Debian's chromium (apt-get install chromium)"]
        )
    todo = [h for h in handouts(root) if only is None or h.name in only]
    if only is not None:
        unknown = sorted(set(only) - {h.name for h in todo})
        if unknown:
            known = ", ".join(h.name for h in handouts(root))
            raise HandoutError([f"no handout named {', '.join(unknown)} (there are: {known})"])
    missing = [h.page for h in todo if not (html_dir / f"{h.page}.html").is_file()]
    if missing:
        raise HandoutError(
            [f"the book is not built ({html_dir / missing[0]}.html is missing): run peercare build"]
        )
    out.mkdir(parents=True, exist_ok=True)
    pdfs = [out / f"{h.name}.pdf" for h in todo]
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        errors = list(
            pool.map(
                lambda pair: _print(chromium, html_dir / f"{pair[0].page}.html", pair[1]),
                zip(todo, pdfs, strict=True),
            )
        )
    problems = [e for e in errors if e]
    if problems:
        raise HandoutError(problems)
    return pdfs
