"""Certificates: one PDF per certified trainer, drawn with ReportLab from the template in
``grading/certificate.yml``, each with a verification code kept in
``certificates/registry.json`` (``peercare cert verify CODE`` looks it up). A certificate
names the observed teach-back's segment and is valid for ``valid_for_months`` from the day
it is issued (``grading/certification.yml``); verify says until when, or since when not."""

from __future__ import annotations

import hashlib
import json
import secrets
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import NamedTuple

from pydantic import Field

from ..content import schema
from ..content.schema import Strict, Text
from .course import CertError, Course
from .decide import CERTIFIED, decide
from .review import write_json
from .rules import add_months


class Template(Strict):
    """``grading/certificate.yml``: the lines of the page, with {name}, {date}, ... to fill."""

    heading: Text
    lines: list[Text] = Field(min_length=1)
    footer: list[Text] = Field(min_length=1)
    small_print: list[Text] = []


def load_template(path: Path) -> dict:
    """The certificate template as plain data, checked (``CertError`` names file and field)."""
    return schema.load(path, Template, CertError, what="certificate template").model_dump()


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
    small = template.get("small_print") or []
    pdf.setFont(regular, 11)
    y = 52 + 12 * len(small) + 16 * (len(template["footer"]) - 1)
    for line in template["footer"]:
        pdf.drawCentredString(width / 2, y, line.format(**values))
        y -= 16
    pdf.setFont(regular, 8)
    y += 4
    for line in small:
        pdf.drawCentredString(width / 2, y, line.format(**values))
        y -= 12
    pdf.showPage()
    pdf.save()


def _expired(entry: dict, today: date, months: int) -> bool:
    return date.fromisoformat(_expires(entry, months)) <= today


def _expires(entry: dict, months: int) -> str:
    """The day a certificate expires: valid until then, not on it (issued + months; the
    registry keeps it, and older entries without one get it from the rule)."""
    return (
        entry.get("expires") or add_months(date.fromisoformat(entry["issued"]), months).isoformat()
    )


def issue(course: Course, reissue: bool = False, today: date | None = None) -> list[Issued]:
    """A certificate for each certified candidate who has none yet, or whose certificate
    has expired (or all, with reissue). ``today`` is the day of issue (default: today)."""
    today = today or date.today()
    template_path = course.root / "certificate.yml"
    template = load_template(template_path)
    rule = course.rule()
    registry = load_registry(course)
    by_candidate = {v["candidate"]: k for k, v in registry.items() if not v.get("revoked")}
    issued = []
    for d in decide(course, today=today):
        if d.verdict != CERTIFIED:
            continue
        code = by_candidate.get(d.candidate)
        path = course.certificates_dir / f"{d.candidate}.pdf"
        expired = code is not None and _expired(registry[code], today, rule.valid_for_months)
        if code and path.is_file() and not reissue and not expired:
            issued.append(Issued(d.candidate, d.name, code, path, False))
            continue
        if code:
            registry[code]["revoked"] = "renewed" if expired else "reissued"
        code = new_code()
        while code in registry:  # pragma: no cover - 32**8 codes
            code = new_code()
        day = today.isoformat()
        expires = add_months(today, rule.valid_for_months).isoformat()
        observed = d.observation.where if d.observation else "not required"
        values = {"name": d.name, "title": rule.title, "date": day, "code": code,
                  "course": course.course_id, "verify": f"peercare cert verify {code}",
                  "expires": expires, "observed": observed}  # fmt: skip
        try:
            draw_certificate(path, template, values)
        except (KeyError, IndexError) as exc:
            raise CertError(f"{template_path}: unknown placeholder {exc}") from None
        registry[code] = {
            "candidate": d.candidate, "name": d.name, "title": rule.title, "issued": day,
            "expires": expires, "observed": observed, "course": course.course_id,
            "file": path.name,
            "sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
        }  # fmt: skip
        write_json(_registry_path(course), registry)
        issued.append(Issued(d.candidate, d.name, code, path, True))
    return issued


class Verdict(NamedTuple):
    valid: bool
    message: str


def verify(
    course: Course, code: str, today: date | None = None, pdf: str | Path | None = None
) -> Verdict:
    """Is the certificate with this code valid ``today``? With ``pdf``, is that file the very
    certificate issued with the code (not changed since)?"""
    today = today or date.today()
    key = normalize(code)
    entry = load_registry(course).get(key)
    if entry is None or entry.get("revoked"):
        why = "was replaced by a newer certificate" if entry else "matches no certificate"
        return Verdict(False, f"{code}: NOT VALID. This code {why} of {course.course_id}.")
    who = (
        f"{entry['name']} was certified as a {entry['title']} on {entry['issued']} "
        f"({entry['course']})"
    )
    if pdf is not None:
        try:
            digest = hashlib.sha256(Path(pdf).read_bytes()).hexdigest()
        except OSError as exc:
            raise CertError(f"{pdf}: cannot read it: {exc.strerror}") from None
        if digest != entry.get("sha256"):
            return Verdict(
                False,
                f"{key}: NOT VALID. {pdf} is not the certificate issued with this code: it "
                f"was changed after it was issued. The real one: {who}.",
            )
    months = course.rule().valid_for_months
    expires = _expires(entry, months)
    observed = f" Observed teach-back: {entry['observed']}." if entry.get("observed") else ""
    if _expired(entry, today, months):
        return Verdict(
            False,
            f"{key}: EXPIRED on {expires}. {who}.{observed} To renew: a new observed "
            "teach-back, then a new certificate.",
        )
    return Verdict(True, f"{key}: VALID until {expires}. {who}.{observed}")
