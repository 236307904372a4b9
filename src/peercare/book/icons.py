"""The theme's icons without its FontAwesome script: a small subset of its own icon font.

pydata-sphinx-theme draws icons with FontAwesome's script (about 530 KiB gzipped on every
page) and a 150 KiB font. Its stylesheet already draws the same icons from the font
(``.fa-bars:before {content: "\\f0c9"}``), so the book drops the script
(:func:`peercare.book.pagefix.lighten`) and serves only the glyphs the pages use
(:func:`write_icon_font`): the icons in the theme's templates (:data:`ICONS`) and every icon
its stylesheet draws (admonitions, links, prev/next). ``web/book.css`` declares the subset
under the theme's font name, so nothing shifts when it arrives.
FontAwesome Free's font is under the SIL OFL 1.1.
"""

from __future__ import annotations

import re
from importlib.util import find_spec
from pathlib import Path

from .buildstamps import Stamps, digest, package_file

# found without importing the theme (half a second of every build's start-up)
THEME_STATIC = (
    Path(find_spec("pydata_sphinx_theme").origin).parent
    / "theme"
    / "pydata_sphinx_theme"
    / "static"
)
FONT = THEME_STATIC / "vendor" / "fontawesome" / "webfonts" / "fa-solid-900.ttf"
CSS = THEME_STATIC / "styles" / "pydata-sphinx-theme.css"
ICON_FONT = "icons.woff"  # in _static/widgets/, next to book.css
# the fa-* icons in the theme's page templates (the test checks built pages use no others)
ICONS = ["angle-left", "angle-right", "arrow-up", "bars", "chevron-down", "list",
         "magnifying-glass", "outdent", "circle-half-stroke", "moon", "sun"]  # fmt: skip
_PRIVATE_USE = re.compile(r"[\ue000-\uf8ff]|\\(f[0-9a-f]{3})", re.I)


def _codepoints(css: str) -> set[int]:
    """Icons the stylesheet draws itself, and those of :data:`ICONS`."""
    points = set()
    for selector, body in re.findall(r"([^{}]+)\{([^{}]*)\}", css):
        if all(s.strip().startswith(".fa-") for s in selector.split(",")):
            continue  # FontAwesome's own rule for one icon: only those in ICONS, below
        for value in re.findall(r'(?:--pst-icon-[\w-]+|content):\s*"([^"]{1,8})"', body):
            for char in _PRIVATE_USE.finditer(value):
                points.add(int(char.group(1), 16) if char.group(1) else ord(char.group(0)))
    for name in ICONS:
        rule = re.search(rf'\.fa-{re.escape(name)}:before[^{{]*\{{content:"([^"]+)"', css)
        if rule is None:
            raise ValueError(f"the theme's stylesheet has no icon fa-{name}")
        char = _PRIVATE_USE.search(rule.group(1))
        points.add(int(char.group(1), 16) if char.group(1) else ord(char.group(0)))
    return points


def write_icon_font(out: Path, stamps: Stamps | None = None) -> Path:
    """The subset font at ``out`` (WOFF; rewritten only when its glyphs change). With
    ``stamps``, not made again while the theme's font and stylesheet, this module and
    fontTools are those it was last made from and ``out`` still holds what was made."""
    key = digest([FONT, CSS, Path(__file__), package_file("fontTools")])  # with its version
    if stamps is not None and stamps.fresh("icon-font", f"{key} {digest([out])}"):
        return out
    from fontTools import subset

    options = subset.Options()
    options.flavor = "woff"
    options.layout_features = []
    options.name_IDs = [0, 1, 2]  # keep the copyright and names (the licence asks for it)
    font = subset.load_font(str(FONT), options)
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=sorted(_codepoints(CSS.read_text(encoding="utf-8"))))
    subsetter.subset(font)
    tmp = out.with_suffix(".tmp")
    subset.save_font(font, str(tmp), options)
    if out.is_file() and out.read_bytes() == tmp.read_bytes():
        tmp.unlink()
    else:
        tmp.replace(out)
    if stamps is not None:
        stamps.record({"icon-font": f"{key} {digest([out])}"})
    return out
