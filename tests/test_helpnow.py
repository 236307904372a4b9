"""The crisis-help box (data/help.yml): honest limits and the new lines, in one place."""

import re

from peercare.content import helpnow


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_help_box_states_limits_honestly():
    text = _text(helpnow.load().as_html())
    assert "supervisor is not confidential" in text
    assert "Your employee assistance program or supervisor" not in text
    eap = re.search(r"employee assistance program.*?\.(.*?)(?:Your supervisor|$)", text)
    assert eap and "confidential, with limits" in eap.group(1)
    for limit in ("may be hurt", "child", "court"):
        assert limit in eap.group(1)


def test_help_box_carries_the_new_lines():
    text = _text(helpnow.load().as_html())
    for needed in (
        "988",
        "911",
        "SAMHSA National Helpline, 1-800-662-4357",
        "Disaster Distress Helpline, call or text 1-800-985-5990",
        "mobile crisis team",
        "Police may come",
        "community health center",
        "victim compensation",
        "police report",
        "partner agencies",
        "peer support group",
        "interpreters",
        "may include police",
        "parole officer",
        "what your boss will be told",
    ):
        assert needed in text, needed


def test_footer_stays_short_and_the_rest_is_folded():
    html = helpnow.load().as_html()
    shown, _, folded = html.partition("<details")
    assert "988" in shown and "911" in shown
    assert "1-800-662-4357" not in shown and "1-800-662-4357" in folded
    assert len(_text(shown)) < 260  # a few lines on a phone
    assert all(m in html for m in helpnow.load().required_markers)


def test_plan_printout_carries_every_option():
    text = helpnow.load().as_text()
    assert "not confidential" in text and "1-800-985-5990" in text
