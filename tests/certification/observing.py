"""Marks files for an observed teach-back, as a lead trainer fills them in."""

from __future__ import annotations

from pathlib import Path

import yaml

from peercare.content.fidelity import Part, load_fidelity


def write_marks(path: Path, feedback: str | None = "Calm, clear, and kept time.", **marks) -> Path:
    """Every item marked: 'ask before' items yes, watch items seen, unless given in ``marks``
    (item id with '_' for '-'; ``None`` leaves the item out; an id not on the checklist is
    added as it is)."""
    checklist = load_fidelity()
    given = {k.replace("_", "-"): v for k, v in marks.items()}
    out = {}
    for item in checklist.items:
        value = given.get(item.id, "yes" if item.part == Part.before else "seen")
        if value is not None:
            out[item.id] = value
    out.update({k: v for k, v in given.items() if k not in out and v is not None})
    data = {"marks": out}
    if feedback is not None:
        data["feedback"] = feedback
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path
