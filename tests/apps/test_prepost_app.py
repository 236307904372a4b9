"""The pre/post knowledge-test app on a real store: private code, counterbalanced forms,
answers in the session export, and the evaluation kit pairing first and last sessions."""

from __future__ import annotations

import ipywidgets as w
import pytest

from peercare.apps import prepost, ui
from peercare.content.prepost_forms import load_forms
from peercare.evaluation.dataset import open_data
from peercare.store import Store

from .test_flow import find, notice_text


@pytest.fixture
def store(tmp_path):
    s = Store(f"sqlite:///{tmp_path / 'sessions.sqlite'}")
    yield s
    s.close()


def test_code_gives_a_stable_token_and_counterbalanced_forms():
    token = prepost.token_for("  Blue River 7 ")
    assert token == prepost.token_for("blue river 7") != prepost.token_for("blue river 8")
    assert token.startswith(prepost.TOKEN_PREFIX) and "blue" not in token
    forms = {prepost.form_for(prepost.token_for(f"code {n}"), "pre") for n in range(20)}
    assert forms == {"a", "b"}  # both orders occur
    for n in range(20):
        t = prepost.token_for(f"code {n}")
        assert prepost.form_for(t, "pre") != prepost.form_for(t, "post")


@pytest.mark.parametrize("bad", ["abc", "me@example.org", "call 5551234567"])
def test_unusable_codes_are_refused_with_a_reason(bad):
    with pytest.raises(prepost.CodeRefused):
        prepost.token_for(bad)


def _take(store, info, code: str, time: str, right: int) -> w.VBox:
    """One participant page: enter the code, pick the session, answer ``right`` correctly."""
    panel = prepost.prepost_panel(ui.seat_for(store, info))
    find(panel, w.Password)[0].value = code
    find(panel, w.RadioButtons)[0].value = time
    find(panel, w.Button, description="Start")[0].click()
    form = load_forms()[prepost.form_for(prepost.token_for(code), time)]
    assert f"Form {form.module[-1].upper()}" in notice_text(panel)
    questions = find(panel, w.RadioButtons)[1:]
    assert len(questions) == len(form.questions)
    for n, (q, radios) in enumerate(zip(form.questions, questions, strict=True)):
        key = next(o.id for o in q.options if o.correct)
        wrong = next(o.id for o in q.options if not o.correct)
        radios.value = key if n < right else wrong
    find(panel, w.Button, description="Send my answers")[0].click()
    assert "Received" in notice_text(panel)
    return panel


def test_page_refuses_without_a_session_choice_or_a_good_code(store):
    info, _ = store.create_session("First session")
    panel = prepost.prepost_panel(ui.seat_for(store, info))
    find(panel, w.Password)[0].value = "river 7"
    find(panel, w.Button, description="Start")[0].click()
    assert "first or the last session" in notice_text(panel)
    find(panel, w.RadioButtons)[0].value = "pre"
    find(panel, w.Password)[0].value = "ab"
    find(panel, w.Button, description="Start")[0].click()
    assert "at least" in notice_text(panel) and len(find(panel, w.RadioButtons)) == 1
    find(panel, w.Password)[0].value = "river 7"
    find(panel, w.Button, description="Start")[0].click()
    find(panel, w.Button, description="Send my answers")[0].click()
    assert "Answer at least one question" in notice_text(panel)


def test_first_and_last_session_exports_pair_up_in_the_evaluation_kit(store, tmp_path):
    first, key1 = store.create_session("First session")
    last, key2 = store.create_session("Last session")
    codes = [f"river {n}" for n in range(6)]
    for code in codes:
        _take(store, first, code, "pre", right=5)
        _take(store, last, code, "post", right=12)
    rows = store.responses(first.code, key1, prepost.APP)
    assert {r["time"] for r in rows} == {"pre"} and len(rows) == 6 * 15
    assert {r["item"][:3] for r in rows} <= {"pa-", "pb-"}
    folder = tmp_path / "data"
    folder.mkdir()
    for info, key in ((first, key1), (last, key2)):
        (folder / f"session-{info.code}.csv").write_text(store.export_csv(info.code, key))
    data = open_data(folder)
    k = data.knowledge
    assert k is not None and k.n_respondents == 6
    scores = k.scores.set_index(["respondent_id", "time"])
    assert (scores["total"].xs("pre", level="time").round(1) == round(100 * 5 / 15, 1)).all()
    assert (scores["total"].xs("post", level="time") == 80.0).all()
    pairs, unpaired = k.paired()
    assert len(pairs) == 6 and unpaired == 0
    both = k.scores.pivot(index="respondent_id", columns="time", values="form")
    assert (both["pre"] != both["post"]).all()
