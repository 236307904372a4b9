"""Live-session exports in a data folder: a real store writes them, the kit reads them."""

from __future__ import annotations

import pytest

from peercare import contract
from peercare.evaluation.dataset import open_data
from peercare.evaluation.errors import DataError
from peercare.store import Store

REACTION = ["useful", "will-use", "recommend", "safe", "own-way", "pace", "hard-to-follow"]
TOPICS = ["naming-trauma", "stress-responses", "coping", "helping-coworkers", "seeking-help"]


def _session(store: Store, people: int, start: int) -> tuple[str, str]:
    """A session where ``people`` give feedback (as the feedback app stores it), answer a
    live-quiz question and check in."""
    info, key = store.create_session("Evaluation export", 5)
    for n in range(people):
        person = f"resp-{start + n:04d}"
        answers = [(item, str(1 + (n + i) % 5), None) for i, item in enumerate(REACTION)]
        answers += [(t, "2", "then") for t in TOPICS] + [(t, "4", "now") for t in TOPICS]
        answers.append(("helped", "-the breathing part" if n == 0 else "the stories", None))
        store.add_responses(info.code, "feedback", answers, respondent=person)
        store.add_responses(info.code, "quiz", [("q-single", "ab"[n % 2])], respondent=person)
        store.add_responses(info.code, "checkin", [("arrival", "3")], respondent=person)
    return info.code, key


@pytest.fixture
def folder(tmp_path):
    store = Store(f"sqlite:///{tmp_path / 'sessions.sqlite'}")
    data = tmp_path / "data"
    data.mkdir()
    for people, start in ((6, 0), (4, 100)):
        code, key = _session(store, people, start)
        (data / f"session-{code}.csv").write_text(store.export_csv(code, key), newline="")
    store.close()
    return data


def test_feedback_and_quiz_from_session_exports(folder, banks):
    data = open_data(folder, banks=banks)
    assert data.reaction.n_respondents == 10 and data.quiz.n_respondents == 10
    pairs, unpaired = data.retrospective.paired()
    assert len(pairs) == 10 and unpaired == 0
    assert (pairs["after"] - pairs["before"]).eq(2).all()
    first = data.reaction.answers.set_index("respondent_id").loc["resp-0000"]
    assert first["useful"] == 1 and first["hard-to-follow"] == 2
    # the store's spreadsheet guard (a leading ') is taken off again
    assert first["helped"] == "-the breathing part"
    assert data.reaction.answers["session"].nunique() == 2
    assert any("check-in, scenario and question" in n for n in data.notes)
    assert not any(n.startswith("reaction.csv is not") for n in data.notes)


def test_a_session_file_and_a_survey_file_add_up(folder, banks, write_csv):
    row = {"respondent_id": "paper-1", "cohort": "2026-fall"}
    write_csv([row | {item: "5" for item in REACTION}], name="data/reaction.csv")
    data = open_data(folder, banks=banks)
    assert data.reaction.n_respondents == 11
    assert set(data.reaction.answers["cohort"]) == {"2026-fall", "not given"}


def test_the_same_session_twice_is_refused(folder, banks):
    first = sorted(folder.glob("session-*.csv"))[0]
    (folder / "session-COPY.csv").write_text(first.read_text())
    with pytest.raises(DataError) as excinfo:
        open_data(folder, banks=banks)
    assert "keep one of the two files" in "\n".join(excinfo.value.problems)


def test_bad_rows_are_named_by_file_and_row(folder, banks):
    path = sorted(folder.glob("session-*.csv"))[0]
    lines = path.read_text().splitlines()
    lines[1] = lines[1].rsplit(",", 1)[0] + ",9"  # a rating off the 1-5 scale
    lines.append(lines[2].replace(",feedback,", ",feedback,").rsplit(",", 2)[0] + ",mystery,1")
    lines.append("x,Y,,poll,q,1")
    path.write_text("\r\n".join(lines) + "\r\n")
    with pytest.raises(DataError) as excinfo:
        open_data(folder, banks=banks)
    text = "\n".join(excinfo.value.problems)
    assert f"{path}: row 2: useful = '9'" in text
    assert f"{path}: row {len(lines) - 1}: item 'mystery' is in no instrument" in text
    assert f"{path}: row {len(lines)}: app 'poll' is not one the kit exports" in text


def test_a_file_that_is_not_an_export_says_so(folder, banks):
    (folder / "session-notes.csv").write_text("who,what\nme,notes\n")
    with pytest.raises(DataError, match="not a session export"):
        open_data(folder, banks=banks)


def test_item_analysis_runs_on_the_questions_a_session_asked(folder, banks):
    from peercare.evaluation.items import analyse_responses

    result = analyse_responses(open_data(folder, banks=banks).quiz, threshold=5)
    assert list(result.items.index) == ["q-single"]  # the question the room was asked
    assert result.items.loc["q-single", "n"] == 10
    assert result.items.loc["q-single", "difficulty"] == pytest.approx(0.5)


def test_repeated_answers_keep_the_first_and_are_named(tmp_path, banks):
    """An export where one page sent its feedback again (forged clicks on an older kit):
    the folder is still read, the first answers count, and a note names the rows."""
    store = Store(f"sqlite:///{tmp_path / 'sessions.sqlite'}")
    code, key = _session(store, 5, 0)
    again = [(item, "5", None) for item in REACTION]
    for _ in range(2):
        store.add_responses(code, "feedback", again, respondent="resp-0001")
    data = tmp_path / "data"
    data.mkdir()
    (data / f"session-{code}.csv").write_text(store.export_csv(code, key), newline="")
    store.close()
    read = open_data(data, banks=banks)
    first = read.reaction.answers.set_index("respondent_id").loc["resp-0001"]
    assert first["useful"] == 2 and first["hard-to-follow"] == 3  # the first send, not the 5s
    assert read.reaction.n_respondents == 5
    note = next(n for n in read.notes if "repeat an earlier answer" in n)
    # 5 people x 20 rows, header row 1: the 14 repeated rows are 102 to 115
    assert f"session {code}: rows 102, 103," in note and "(and 6 more)" in note


def test_a_short_form_session_pace_and_questions_are_read(tmp_path, banks):
    """A session that used the short feedback form sits beside one that used the full
    form: one reaction measure, the items the short form leaves out simply missing; pace
    signals are counted per session by direction; questions and scenario choices (a step
    answered again after "Choose again") are counted, not analysed."""
    store = Store(f"sqlite:///{tmp_path / 'sessions.sqlite'}")
    data = tmp_path / "data"
    data.mkdir()
    full, full_key = _session(store, 5, 0)
    info, key = store.create_session("Short form", 5)
    for n in range(5):
        person = f"short-{n:04d}"
        answers = [(item, "4", None) for item in contract.SHORT_FEEDBACK_ITEMS]
        answers.append((contract.SHORT_FEEDBACK_TEXT, "=the quiet room", None))
        store.add_responses(info.code, contract.FEEDBACK, answers, respondent=person)
        for asked in ("Why?", "And how?"):  # two questions: not a repeated answer
            store.add_responses(info.code, contract.QUESTION,
                                [(contract.QUESTION_TEXT, asked)], respondent=person)  # fmt: skip
    step = contract.scenario_item("coworker-in-crisis", "connect")
    for choice in ("keep-secret", "stay-and-connect"):  # "Choose again": the step shown twice
        store.add_responses(info.code, contract.SCENARIO, [(step, choice)],
                            respondent="short-0000")  # fmt: skip
    for n, direction in enumerate(["slower", "slower", "faster", "slower"]):
        store.add_responses(info.code, contract.PACE, [(contract.PACE_SIGNAL, direction)],
                            respondent=f"pace-{n:04d}")  # fmt: skip
    for code, k in ((full, full_key), (info.code, key)):
        (data / contract.export_name(code)).write_text(store.export_csv(code, k), newline="")
    store.close()
    found = open_data(data, banks=banks)
    answers = found.reaction.answers.set_index("respondent_id")
    assert found.reaction.n_respondents == 10
    assert answers.loc["short-0000", "will-use"] == 4
    assert answers.loc["short-0000", "change"] == "=the quiet room"  # the guard undone
    assert answers.loc["short-0000", ["pace", "hard-to-follow"]].isna().all()
    notes = "\n".join(found.notes)
    assert f"session {info.code}: 4 pace signals (3 slower, 1 faster)" in notes
    assert f"session {full}: 0 pace signals (0 slower, 0 faster)" in notes
    assert f"session {info.code}: 0 pause requests" in notes
    assert "17 check-in, scenario and question answer(s)" in notes  # 5+10+2
    assert "repeat an earlier answer" not in notes  # questions, pace, a step shown again: fine
