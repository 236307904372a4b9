"""Certificates: one PDF per certified trainer, drawn with ReportLab from the template in
``grading/certificate.yml``, each with a verification code kept in
``certificates/registry.json`` (``peercare cert verify CODE`` looks it up)."""

from __future__ import annotations

import hashlib
import json
import secrets
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import yaml

from .course import CertError, Course
from .decide import CERTIFIED, decide
from .review import write_json

ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I: easy to read aloud
FONT_FILES = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
)


@dataclass
class Issued:
    candidate: str
    name: str
    code: str
    path: Path
    new: bool


def new_code() -> str:
    raw = "".join(secrets.choice(ALPHABET) for _ in range(8))
    return f"HH-{raw[:4]}-{raw[4:]}"


def normalize(code: str) -> str:
    raw = "".join(ch for ch in code.upper() if ch.isalnum())
    raw = raw.removeprefix("HH")
    return f"HH-{raw[:4]}-{raw[4:]}" if len(raw) == 8 else code.strip().upper()


def _registry_path(course: Course) -> Path:
    return course.certificates_dir / "registry.json"


def load_registry(course: Course) -> dict:
    path = _registry_path(course)
    if not path.is_file():
        return {}
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise CertError(f"{path} is damaged ({exc}); restore it from a backup") from None


def _fonts() -> tuple[str, str]:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    regular, bold = FONT_FILES
    if Path(regular).is_file() and Path(bold).is_file():
        if "DejaVu" not in pdfmetrics.getRegisteredFontNames():
            pdfmetrics.registerFont(TTFont("DejaVu", regular))
            pdfmetrics.registerFont(TTFont("DejaVu-Bold", bold))
        return "DejaVu", "DejaVu-Bold"
    return "Helvetica", "Helvetica-Bold"  # Latin-1 names only


def draw_certificate(path: Path, template: dict, values: dict) -> None:
    from reportlab.lib.colors import HexColor
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.pdfgen.canvas import Canvas

    regular, bold = _fonts()
    width, height = landscape(A4)
    path.parent.mkdir(parents=True, exist_ok=True)
    pdf = Canvas(str(path), pagesize=(width, height), invariant=1)
    pdf.setTitle(f"Certificate: {values['name']}")
    pdf.setAuthor(values["course"])
    pdf.setSubject(f"Verification code {values['code']}")
    pdf.setStrokeColor(HexColor("#2f5d50"))
    pdf.setLineWidth(4)
    pdf.rect(28, 28, width - 56, height - 56)
    pdf.setLineWidth(1)
    pdf.rect(38, 38, width - 76, height - 76)
    pdf.setFillColor(HexColor("#2f5d50"))
    pdf.setFont(bold, 40)
    pdf.drawCentredString(width / 2, height - 130, template["heading"].format(**values))
    pdf.setFillColor(HexColor("#1a1a1a"))
    y = height - 200
    for line in template["lines"]:
        text = line.format(**values)
        is_name = line.strip() == "{name}"
        pdf.setFont(bold if is_name else regular, 30 if is_name else 16)
        pdf.drawCentredString(width / 2, y, text)
        y -= 52 if is_name else 30
    pdf.setFont(regular, 11)
    y = 90
    for line in template["footer"]:
        pdf.drawCentredString(width / 2, y, line.format(**values))
        y -= 16
    pdf.showPage()
    pdf.save()


def issue(course: Course, reissue: bool = False) -> list[Issued]:
    """A certificate for each certified candidate who has none yet (or all, with reissue)."""
    template_path = course.root / "certificate.yml"
    try:
        template = yaml.safe_load(template_path.read_text(encoding="utf-8"))
        assert isinstance(template, dict) and {"heading", "lines", "footer"} <= set(template)
    except (OSError, yaml.YAMLError, AssertionError):
        raise CertError(f"{template_path}: needs heading, lines and footer") from None
    rule = course.rule()
    registry = load_registry(course)
    by_candidate = {v["candidate"]: k for k, v in registry.items() if not v.get("revoked")}
    issued = []
    for d in decide(course):
        if d.verdict != CERTIFIED:
            continue
        code = by_candidate.get(d.candidate)
        path = course.certificates_dir / f"{d.candidate}.pdf"
        if code and path.is_file() and not reissue:
            issued.append(Issued(d.candidate, d.name, code, path, False))
            continue
        if code:
            registry[code]["revoked"] = "reissued"
        code = new_code()
        while code in registry:  # pragma: no cover - 32**8 codes
            code = new_code()
        today = date.today().isoformat()
        values = {"name": d.name, "title": rule.title, "date": today, "code": code,
                  "course": course.course_id, "verify": f"peercare cert verify {code}"}  # fmt: skip
        try:
            draw_certificate(path, template, values)
        except (KeyError, IndexError) as exc:
            raise CertError(f"{template_path}: unknown placeholder {exc}") from None
        registry[code] = {
            "candidate": d.candidate, "name": d.name, "title": rule.title, "issued": today,
            "course": course.course_id, "file": path.name,
            "sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
        }  # fmt: skip
        write_json(_registry_path(course), registry)
        issued.append(Issued(d.candidate, d.name, code, path, True))
    return issued


def verify(course: Course, code: str) -> dict | None:
    entry = load_registry(course).get(normalize(code))
    return None if entry is None else {"code": normalize(code), **entry}
