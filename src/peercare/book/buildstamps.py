"""What the last book build did, keyed by the content of its inputs, so that a rebuild can
skip a step whose inputs have not changed since that step last succeeded.

The keys are SHA-256 digests of the input files' bytes (and the code and versions that
read them), kept in ``_build/.peercare-stamps.json``: never file times alone, which a
``git checkout``, a copy or a touch change without changing anything. Deleting ``_build``
forgets them all, so a clean build does every step.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable
from importlib.util import find_spec
from pathlib import Path

STAMPS_FILE = Path("_build") / ".peercare-stamps.json"


def digest(files: Iterable[Path], *extra: str) -> str:
    """One digest of the files' names and bytes (a missing file counts as missing) and of
    ``extra`` strings (versions, settings)."""
    h = hashlib.sha256()
    for text in extra:
        h.update(text.encode() + b"\0")
    for path in files:
        h.update(str(path).encode() + b"\0")
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            h.update(b"<missing>\0")
        else:
            h.update(hashlib.sha256(data).digest())
    return h.hexdigest()


def package_file(package: str, name: str = "__init__.py") -> Path:
    """A file of an installed package (say, the one that holds its version), found without
    importing the package or ``importlib.metadata`` (each a good part of a second)."""
    return Path(find_spec(package).origin).parent / name


class Stamps:
    """The digests of one project's last successful steps, by step name."""

    def __init__(self, root: Path):
        self.path = root / STAMPS_FILE
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            data = {}
        self.data: dict[str, str] = data if isinstance(data, dict) else {}

    def fresh(self, step: str, key: str) -> bool:
        """True when ``step`` last succeeded with inputs of digest ``key``."""
        return self.data.get(step) == key

    def record(self, steps: dict[str, str]) -> None:
        """Note that each step succeeded with inputs of its digest (written at once)."""
        self.data.update(steps)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_name(f"{self.path.name}.{os.getpid()}.tmp")
        tmp.write_text(json.dumps(self.data, indent=1, sort_keys=True), encoding="utf-8")
        tmp.replace(self.path)
