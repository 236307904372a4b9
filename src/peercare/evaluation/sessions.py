"""Live-session exports as evaluation data.

The facilitator dashboard's export and ``peercare session export`` write one file per
session (:func:`peercare.contract.export_name`) with the columns
:data:`peercare.contract.EXPORT_COLUMNS`. Put those files in the data folder and
:func:`peercare.evaluation.dataset.open_data` reads them too (the contract says which app's
rows are which instrument, :data:`peercare.contract.EVALUATION_PARTS`):

* ``feedback`` rows are the reaction survey and the retrospective ratings (the feedback app
  stores the instruments' own item ids);
* ``quiz`` rows are live-quiz answers, read as the quiz banks' items;
* ``prepost`` rows are the pre/post knowledge test (its forms' items, time ``pre`` or
  ``post``); the first and the last session's exports pair up by the respondent token;
* ``checkin``, ``scenario`` and ``question`` rows serve the room during the session and
  are not evaluation data; they are counted in a note, not analysed.
* ``pause`` rows ("I need a pause") and ``pace`` rows ("slower", "faster") are counted
  per session, one note line each ("session K7QP2M: 2 pause requests", "session K7QP2M:
  5 pace signals (3 slower, 2 faster)"); never read per person.
* the short feedback form asks five of the reaction survey's items: a session that used
  it has no answers to the others, which is not a problem (those items are simply
  missing for its people).
* a repeated answer (the same person, session, time and item again) is left out: the
  first one is kept, and a note names the session and rows.

Every problem is reported with the file and its spreadsheet row, as for any other file.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..content.instruments import Instrument
from ..contract import (
    APP_TITLES,
    COUNTED,
    EVALUATION_PARTS,
    EXPORT_COLUMNS,
    EXPORT_GLOB,
    LIVE_ONLY,
    PACE,
    PACE_OPTIONS,
    REPEATABLE,
    spreadsheet_text,
)
from .errors import DataError
from .tables import GROUPS, NOT_GIVEN, ROW, Responses, _rows, load_responses, read_table


def export_files(folder: Path) -> list[Path]:
    return sorted(Path(folder).glob(EXPORT_GLOB))


def read_export(path: Path) -> tuple[pd.DataFrame, str]:
    """A session export's rows exactly as they were stored: the spreadsheet guard taken
    off every cell (:func:`peercare.contract.spreadsheet_text`), nothing stripped."""
    frame, name = read_table(path, strip=False)
    columns = [c for c in frame.columns if c != ROW]
    if tuple(columns) != EXPORT_COLUMNS:
        header = ",".join(EXPORT_COLUMNS)
        raise DataError([f"{name}: not a session export; its header should be {header}"])
    for column in EXPORT_COLUMNS:
        frame[column] = frame[column].map(spreadsheet_text)
    return frame, name


def _read_export(path: Path) -> tuple[pd.DataFrame, list[str]]:
    frame, name = read_export(path)
    problems = []
    known = set(EVALUATION_PARTS.values()) | set(LIVE_ONLY) | set(COUNTED)
    for app, rows in frame[~frame["app"].isin(known)].groupby("app", sort=False)[ROW]:
        problems.append(f"{name}: {_rows(rows)}: app {app!r} is not one the kit exports")
    return frame, problems


def _first_answers(frame: pd.DataFrame, path: Path) -> tuple[pd.DataFrame, list[str]]:
    """The export without repeated answers (the same person, session, time and item again),
    and a note per session naming the rows left out. The first answer is kept: a page sends
    each answer once, so a repeat comes from a forged message or an older kit. Counted rows
    (pause requests, pace signals), questions and scenario choices are not answers to one
    item: a page may send another after a wait, or each time it shows a scenario step
    (:data:`peercare.contract.REPEATABLE`)."""
    key = ["respondent_id", "session", "time", "app", "item"]
    again = frame.duplicated(key, keep="first") & ~frame["app"].isin(REPEATABLE)
    notes = [
        f"{path}: session {code}: {_rows(rows)} repeat an earlier answer of the same person "
        "to the same question; the first answer is kept and these are left out"
        for code, rows in frame.loc[again].groupby("session", sort=False)[ROW]
    ]
    return frame.loc[~again], notes


def session_counts(frame: pd.DataFrame, path: Path) -> list[str]:
    """One line per session and counted app (:data:`peercare.contract.COUNTED`): how many
    pause requests and pace signals (slower, faster) the session had, zeros included. A
    count of the session, never read per person."""
    lines = []
    before, _, after = EXPORT_GLOB.partition("*")
    named = path.name.removeprefix(before).removesuffix(after)  # a session with no rows
    for code in list(frame["session"].unique()) or [named]:
        rows = frame[frame["session"] == code]
        for app in COUNTED:
            mine = rows[rows["app"] == app]
            line = f"{path}: session {code}: {len(mine)} {APP_TITLES[app].lower()}"
            if app == PACE:
                line += (
                    " ("
                    + ", ".join(f"{int((mine['response'] == o).sum())} {o}" for o in PACE_OPTIONS)
                    + ")"
                )
            lines.append(line)
    return lines


def read_exports(
    folder: Path, instruments: dict[str, Instrument]
) -> tuple[dict[str, Responses], list[str]]:
    """The parts (``reaction``, ``retrospective``, ``quiz``) found in the folder's session
    exports, and notes for the reader. Raises :class:`DataError` with every problem."""
    parts: dict[str, list[Responses]] = {}
    problems, notes, seen = [], [], {}
    live_only = 0
    for path in export_files(folder):
        try:
            frame, found = _read_export(path)
        except DataError as exc:
            problems += exc.problems
            continue
        problems += found
        frame, repeats = _first_answers(frame, path)
        notes += repeats
        for code in frame["session"].unique():
            if code in seen:
                problems.append(
                    f"{path}: session {code} is also in {seen[code]}; keep one of the two files"
                )
            seen.setdefault(code, path)
        live_only += int(frame["app"].isin(LIVE_ONLY).sum())
        notes += session_counts(frame, path)
        claimed = pd.Series(False, index=frame.index)
        for part, inst in instruments.items():
            mine = (frame["app"] == EVALUATION_PARTS[part]) & frame["item"].isin(inst.columns)
            claimed |= mine
            if not mine.any():
                continue
            rows = frame.loc[mine].drop(columns="app")
            if not inst.times:
                rows = rows.drop(columns="time")
            try:
                found = load_responses(
                    rows,
                    inst,
                    name=str(path),
                    # a live quiz asks a few questions; the short feedback form five of
                    # the reaction items
                    every_item=False,
                    strip=False,
                )
                parts.setdefault(part, []).append(found)
            except DataError as exc:
                problems += exc.problems
        stray = frame[frame["app"].isin(EVALUATION_PARTS.values()) & ~claimed]
        for item, rows in stray.groupby("item", sort=False)[ROW]:
            problems.append(f"{path}: {_rows(rows)}: item {item!r} is in no instrument")
    if problems:
        raise DataError(problems)
    if live_only:
        notes.append(
            f"{live_only} check-in, scenario and question answer(s) in the session exports "
            "serve the room during a session; they are not analysed."
        )
    return {part: combine(found) for part, found in parts.items()}, notes


def combine(parts: list[Responses]) -> Responses:
    """Several sources of one instrument as one; a respondent in two sources is refused."""
    if len(parts) == 1:
        return parts[0]
    inst = parts[0].instrument
    key = ["respondent_id"] + (["time"] if inst.times else [])
    answers = pd.concat([p.answers for p in parts], ignore_index=True)
    for column in GROUPS:
        if column in answers:
            answers[column] = answers[column].fillna(NOT_GIVEN)
    twice = answers[answers.duplicated(key, keep=False)]
    if len(twice):
        ids = ", ".join(sorted(set(twice["respondent_id"]))[:8])
        sources = " and ".join(p.source for p in parts)
        raise DataError([f"{inst.id}: respondent(s) {ids} appear in more than one of {sources}"])
    return Responses(
        inst, answers, any(p.synthetic for p in parts), " + ".join(p.source for p in parts)
    )
