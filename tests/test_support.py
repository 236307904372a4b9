"""Where to find support: the one data file, its checks, its HTML, and the built page."""

from __future__ import annotations

import datetime as dt
import html
import re

import pytest
import yaml

from peercare.content import support
from peercare.content.support import SupportFileError, load, parse, support_html
from peercare.paths import DATA_DIR

REQUIRED = ["id", "name", "group", "offers", "cost", "reach", "checked"]
ENTRY = {
    "id": "a-line",
    "name": "A line",
    "group": "national",
    "offers": "Someone to talk to.",
    "cost": "Free.",
    "reach": [{"label": "Call 555", "href": "tel:555"}],
    "checked": dt.date(2026, 11, 30),
}


def _text(*entries: dict) -> str:
    return yaml.safe_dump({"entries": list(entries)}, sort_keys=False)


def _digits(number: str) -> str:
    digits = re.sub(r"\D", "", number)
    return digits[1:] if len(digits) == 11 and digits.startswith("1") else digits


def _phones(text: str) -> set[str]:
    """Phone numbers written in text: 3-digit lines (988, 911) and 1-800 style numbers."""
    found = re.findall(r"(?:1-)?\d{3}-\d{3}-\d{4}|\btel:\+?\d+|(?<![\d-])\d{3}(?![\d-])", text)
    return {_digits(n) for n in found}


def test_shipped_list_loads_with_every_group_and_field():
    shipped = load()
    assert {e.group.value for e in shipped.entries} == {"national", "peer", "local"}
    for entry in shipped.entries:
        assert entry.offers and entry.cost and entry.reach and entry.checked
        assert entry.checked <= dt.date.today()


def test_shipped_list_names_the_lines_and_groups_the_issue_asks_for():
    text = " ".join(f"{e.name} {e.offers}" for e in load().entries)
    for name in ["988", "SAMHSA National Helpline", "Disaster Distress Helpline",
                 "Survivors of Mass Violence", "Tuesday's Children", "Stars of HOPE",
                 "Rebels Project", "Peer Support, Wellness", "Healing Self-Injury",
                 "Victim services", "victim compensation", "health centers",
                 "violence intervention", "VictimConnect", "Domestic Violence Hotline"]:  # fmt: skip
        assert name.lower() in text.lower(), name


@pytest.mark.parametrize("field", REQUIRED)
def test_entry_missing_a_field_is_refused_naming_file_entry_and_field(field):
    broken = {k: v for k, v in ENTRY.items() if k != field}
    with pytest.raises(SupportFileError) as info:
        parse(_text(broken), "support.yml")
    message = str(info.value)
    assert message.startswith("support.yml: ")
    assert f"{field}: is missing" in message
    if field != "id":
        assert "entry 'a-line'" in message


@pytest.mark.parametrize(
    "change, expected",
    [
        ({"offers": ""}, "offers: is empty"),
        ({"reach": []}, "reach"),
        ({"reach": [{"label": "x", "href": "javascript:alert(1)"}]}, "should start with https://"),
        ({"checked": dt.date(2999, 1, 1)}, "in the future"),
        ({"group": "elsewhere"}, "group"),
        ({"phone": "555"}, "phone: is not a known field"),
    ],
)
def test_bad_entry_says_what_is_wrong(change, expected):
    with pytest.raises(SupportFileError) as info:
        parse(_text({**ENTRY, **change}), "support.yml")
    assert "entry 'a-line'" in str(info.value) and expected in str(info.value)


def test_duplicate_ids_and_broken_yaml_are_refused(tmp_path):
    with pytest.raises(SupportFileError, match="entry 'a-line': the id is used twice"):
        parse(_text(ENTRY, ENTRY), "support.yml")
    path = tmp_path / "support.yml"
    path.write_text("entries: [\n")
    with pytest.raises(SupportFileError, match="not valid YAML"):
        load(path)
    with pytest.raises(SupportFileError, match="cannot read"):
        load(tmp_path / "missing.yml")


def test_html_escapes_every_text_and_shows_every_field():
    evil = {
        **ENTRY,
        "name": "<script>alert(1)</script>",
        "offers": "Talk & rest <b>now</b>",
        "reach": [{"label": 'Call "us"', "href": 'https://example.org/?a="x"'}],
    }
    out = support_html(support=parse(_text(evil)))
    assert "<script>" not in out and "&lt;script&gt;" in out
    assert "Talk &amp; rest &lt;b&gt;now&lt;/b&gt;" in out
    assert 'href="https://example.org/?a=&quot;x&quot;"' in out
    for label in ("What it offers:", "Cost:", "How to reach it:", "Last checked:"):
        assert label in out
    assert '<time datetime="2026-11-30">November 30, 2026</time>' in out


def test_html_for_chosen_groups_only():
    shipped = load()
    out = support_html(["local"])
    for entry in shipped.entries:
        assert (html.escape(entry.name) in out) == (entry.group.value == "local")


def test_every_phone_number_in_the_crisis_footer_is_also_in_the_support_list():
    help_text = (DATA_DIR / "help.yml").read_text(encoding="utf-8")
    help_numbers = _phones(yaml.safe_dump(yaml.safe_load(help_text)))
    assert {"988", "911"} <= help_numbers  # the check can see the numbers it guards
    listed = set()
    for entry in load().entries:
        listed |= _phones(" ".join([entry.name, entry.offers] + [w.label for w in entry.reach]))
        listed |= {_digits(w.href) for w in entry.reach if w.href.startswith(("tel:", "sms:"))}
    assert help_numbers <= listed, help_numbers - listed


def test_phone_finder_sees_long_numbers():
    assert _phones("call 1-800-985-5990 or 988, not 2026-11-30") == {"8009855990", "988"}


@pytest.mark.build
def test_built_page_renders_every_entry(built_book):
    page = (built_book / "book" / "support" / "index.html").read_text(encoding="utf-8")
    for entry in load().entries:
        assert f'id="support-{entry.id}"' in page, entry.id
        assert html.escape(entry.name) in page, entry.name
    assert page.count("Last checked:") == len(load().entries)
    assert support.SUPPORT_FILE.name in page


def test_988_entry_says_what_the_crisis_footer_says_about_mobile_teams_and_911():
    about = next(m for m in yaml.safe_load((DATA_DIR / "help.yml").read_text())["more"]
                 if m["label"] == "About 988")  # fmt: skip
    entry = next(e for e in load().entries if e.id == "lifeline-988")
    squash = " ".join
    assert squash(about["detail"].split()[-30:]) in squash(entry.offers.split())


def test_victim_services_entry_is_honest_about_who_must_share():
    entry = next(e for e in load().entries if e.id == "victim-services")
    assert "may have to share" in entry.offers and "community" in entry.offers
    assert any("community-based advocate" in w.label for w in entry.reach)
