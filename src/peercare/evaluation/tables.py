"""Data in: CSV exports (or data frames) checked against the instrument definitions.

Two layouts are read; both may carry the meta columns
``respondent_id`` (required), ``cohort``, ``site``, ``time``, ``session``, ``synthetic``.

* wide: one row per respondent (per time point), one column per item or free-text id::

      respondent_id,cohort,site,time,useful,will-use,...,helped
      p0001,2025-spring,Northside,pre,4,5,...,The breathing practice

* long: one row per answer, with ``item`` and ``response`` columns (what the live-session
  store exports)::

      respondent_id,cohort,site,time,item,response
      p0001,2025-spring,Northside,then,coping,2

``time`` is needed when the instrument has ``times`` (``pre``/``post``, ``then``/``now``).
Rated items take whole numbers on the scale; choice items take option ids (``a|c`` for
several); a blank cell is a missing answer. ``synthetic`` is ``true`` for demo data.

Certification scores (the knowledge check in the gradebook) are long, one row per
respondent and item: ``respondent_id,[cohort],[site],item,score,max_score``.

Problems (unknown columns, out-of-range values, duplicate respondents, a respondent whose
cohort or site changes between rows) are all collected and raised together as
:class:`DataError`, each with the row numbers as a spreadsheet shows them (the header is
row 1). Nothing is dropped silently.

A folder of these files, with any live-session exports in it, is read as one dataset by
:mod:`peercare.evaluation.dataset`.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np
import pandas as pd

from ..content.instruments import Instrument, load_instrument, normalize_choice
from ..contract import CHOICE_SEP, split_choices
from .errors import DataError

META = ("respondent_id", "cohort", "site", "time", "session", "synthetic")
GROUPS = ("cohort", "site")
NOT_GIVEN = "not given"
ROW = "_row"
TRUE, FALSE = {"true", "yes", "1"}, {"false", "no", "0", ""}
SCORE_COLUMNS = ("respondent_id", "item", "score", "max_score")


def _rows(rows, limit: int = 8) -> str:
    rows = sorted(int(r) for r in rows)
    head = ", ".join(map(str, rows[:limit]))
    more = f" (and {len(rows) - limit} more)" if len(rows) > limit else ""
    return f"{'row' if len(rows) == 1 else 'rows'} {head}{more}"


def read_table(
    source: str | Path | pd.DataFrame, name: str | None = None, *, strip: bool = True
) -> tuple[pd.DataFrame, str]:
    """A frame of text cells (stripped unless ``strip=False``) plus the spreadsheet row
    number in ``_row`` (a data frame's own ``_row`` is kept: rows picked out of a file keep
    their numbers)."""
    if isinstance(source, pd.DataFrame):
        frame, name = source.copy(), name or "<data frame>"
        rows = frame.pop(ROW).to_numpy() if ROW in frame else np.arange(len(frame)) + 2
        frame.columns = [str(c) for c in frame.columns]
        frame = frame.astype(object).where(frame.notna(), "").astype(str)
    else:
        name, rows = str(source), None
        try:
            frame = pd.read_csv(source, dtype=str, keep_default_na=False, encoding="utf-8")
        except FileNotFoundError:
            raise DataError([f"{name}: no such file"]) from None
        except UnicodeDecodeError:
            raise DataError(
                [f"{name}: the file is not UTF-8 text (save it as CSV UTF-8)"]
            ) from None
        except pd.errors.EmptyDataError:
            raise DataError([f"{name}: the file is empty"]) from None
        except pd.errors.ParserError as exc:
            raise DataError([f"{name}: not a readable CSV file: {exc}"]) from None
    frame.columns = [c.strip() for c in frame.columns]
    if strip:
        frame = frame.apply(lambda s: s.str.strip())
    frame[ROW] = np.arange(len(frame)) + 2 if rows is None else rows
    return frame, name


def _check_rows(frame: pd.DataFrame, key: list[str], name: str) -> list[str]:
    """Blank ids, duplicate keys, and cohort/site that change for one respondent."""
    problems = []
    blank = frame.loc[frame["respondent_id"] == "", ROW]
    if len(blank):
        problems.append(f"{name}: {_rows(blank)}: respondent_id is blank")
    dup = frame[frame.duplicated(key, keep=False) & (frame["respondent_id"] != "")]
    for k, rows in dup.groupby(key, sort=False)[ROW]:
        k = k if isinstance(k, tuple) else (k,)
        label = ", ".join(f"{c} {v!r}" for c, v in zip(key, k, strict=True))
        problems.append(f"{name}: {_rows(rows)}: {label} appears more than once")
    for col in GROUPS:
        if col not in frame:
            continue
        n = frame.groupby("respondent_id")[col].transform("nunique")
        for rid, part in frame[n > 1].groupby("respondent_id", sort=False):
            values = ", ".join(repr(v) for v in part[col].unique())
            problems.append(
                f"{name}: {_rows(part[ROW])}: respondent {rid!r} has different {col} values "
                f"({values})"
            )
    if "synthetic" in frame:
        bad = frame.loc[~frame["synthetic"].str.lower().isin(TRUE | FALSE), ROW]
        if len(bad):
            problems.append(f"{name}: {_rows(bad)}: synthetic is true or false")
    return problems


def _check_header(frame, allowed, needed, name: str, what: str) -> list[str]:
    """Problems with the header row (unknown columns; missing ones raise at once); fills the
    optional group columns with NOT_GIVEN."""
    problems = _unknown_columns(frame, allowed, name, what)
    missing = [c for c in needed if c not in frame]
    if missing:
        problems.append(f"{name}: row 1 (header): missing column(s) {', '.join(missing)}")
        raise DataError(problems)
    for col in GROUPS:
        if col not in frame:
            frame[col] = NOT_GIVEN
    return problems


def _unknown_columns(frame: pd.DataFrame, allowed, name: str, what: str) -> list[str]:
    unknown = [c for c in frame.columns if c not in allowed and c != ROW]
    if not unknown:
        return []
    return [
        f"{name}: row 1 (header): unknown column{'s' if len(unknown) > 1 else ''} "
        f"{', '.join(map(repr, unknown))}; {what}"
    ]


def _check_values(cells: pd.DataFrame, inst: Instrument, name: str) -> tuple[pd.Series, list]:
    """Check and convert answer cells (``item``, ``response``, ``_row``)."""
    problems, values = [], pd.Series(np.nan, index=cells.index, dtype=object)
    free = {f.id for f in inst.free_text}
    for item_id, part in cells.groupby("item", sort=False):
        given = part["response"] != ""
        if item_id in free:
            values[part.index[given]] = part.loc[given, "response"]
            continue
        item = inst.item(item_id)
        if item.is_choice:  # few distinct answers: check each once
            norm = {v: normalize_choice(v) for v in part["response"].unique()}
            fits = {
                v: set(split_choices(n)) <= set(item.options)
                and (item.multiple or CHOICE_SEP not in n)
                for v, n in norm.items()
            }
            ok = part["response"].map(fits).astype(bool)
            rule = f"one of {CHOICE_SEP.join(item.options)}" + (
                f" (several joined by {CHOICE_SEP})" * item.multiple
            )
            good = part["response"].map(norm)
        else:
            num = pd.to_numeric(part["response"], errors="coerce")
            ok = num.between(inst.scale.min, inst.scale.max) & (num == num.round())
            rule = f"a whole number from {inst.scale.min} to {inst.scale.max}"
            good = num.astype(float)
        bad = part[given & ~ok]
        for value, rows in bad.groupby("response", sort=False)[ROW]:
            problems.append(f"{name}: {_rows(rows)}: {item_id} = {value!r}; expected {rule}")
        keep = given & ok
        values[part.index[keep]] = good[keep]
    return values, problems


@dataclass
class Responses:
    """Checked answers to one instrument: one row per respondent (per time)."""

    instrument: Instrument
    answers: pd.DataFrame
    synthetic: bool = False
    source: str = ""

    @cached_property
    def scores(self) -> pd.DataFrame:
        """Meta columns plus the instrument's scores."""
        meta = self.answers[[c for c in self.answers.columns if c in META]]
        return pd.concat([meta, self.instrument.score(self.answers)], axis=1)

    @property
    def n_respondents(self) -> int:
        return int(self.answers["respondent_id"].nunique())

    def paired(self, score: str = "total") -> tuple[pd.DataFrame, int]:
        """Respondents with both times scored, and the number without a pair."""
        before, after = self.instrument.times
        s = self.scores.dropna(subset=[score])
        wide = s.pivot(index="respondent_id", columns="time", values=score)
        wide = wide.reindex(columns=[before, after])
        groups = s.drop_duplicates("respondent_id").set_index("respondent_id")[list(GROUPS)]
        pairs = wide.dropna().join(groups).rename(columns={before: "before", after: "after"})
        return pairs.reset_index(), int(len(wide) - len(pairs))


def load_responses(
    source: str | Path | pd.DataFrame,
    instrument: Instrument | str,
    name: str | None = None,
    *,
    every_item: bool = True,
    strip: bool = True,
) -> Responses:
    """Read, check and convert one instrument's data (wide or long layout); ``name`` is
    what messages call a data frame. ``every_item=False`` accepts items nobody answered
    (a live quiz asks a few of the banks' questions). ``strip=False`` keeps every cell as
    it is (session exports: free text comes back exactly as it was written)."""
    inst = instrument if isinstance(instrument, Instrument) else load_instrument(instrument)
    frame, name = read_table(source, name, strip=strip)
    long = {"item", "response"} <= set(frame.columns)
    allowed = set(META) | ({"item", "response"} if long else set(inst.columns))
    what = f"the columns of {inst.id!r} are {', '.join(inst.columns)}"
    if long:
        what = "long data has item and response columns"
    needed = ["respondent_id"] + (["time"] if inst.times else [])
    problems = _check_header(frame, allowed, needed, name, what)
    key = ["respondent_id"] + (["time"] if inst.times else [])
    if inst.times:
        bad = frame[~frame["time"].isin(inst.times)]
        for value, rows in bad.groupby("time", sort=False)[ROW]:
            problems.append(f"{name}: {_rows(rows)}: time {value!r} is not one of {inst.times}")
    meta = [c for c in META if c in frame]
    if long:
        unknown = frame[~frame["item"].isin(inst.columns)]
        for value, rows in unknown.groupby("item", sort=False)[ROW]:
            problems.append(f"{name}: {_rows(rows)}: item {value!r} is not in {inst.id!r}")
        cells = frame[frame["item"].isin(inst.columns)]
        problems += _check_rows(cells, key + ["item"], name)
        present = set(cells["item"])
    else:
        problems += _check_rows(frame, key, name)
        present = set(frame.columns)
        cells = frame.melt(id_vars=meta + [ROW], value_vars=[c for c in inst.columns if c in frame])
        cells = cells.rename(columns={"variable": "item", "value": "response"})
    absent = [i for i in inst.item_ids if i not in present]
    if absent and every_item:
        problems.append(f"{name}: no answers at all for item(s) {', '.join(absent)}")
    values, value_problems = _check_values(cells, inst, name)
    problems += value_problems
    if problems:
        raise DataError(problems)
    cells = cells.assign(value=values)
    answers = cells.pivot(index=key, columns="item", values="value").reindex(columns=inst.columns)
    rated = [i.id for i in inst.items if not i.is_choice]
    answers[rated] = answers[rated].astype(float)
    firsts = cells.drop_duplicates(key).set_index(key)[[c for c in meta if c not in key] + [ROW]]
    answers = firsts.join(answers).reset_index()
    synthetic = "synthetic" in frame and frame["synthetic"].str.lower().isin(TRUE).any()
    return Responses(inst, answers.sort_values(ROW, ignore_index=True), bool(synthetic), name)


@dataclass
class Scores:
    """Item scores from a gradebook: respondents by items, and each item's maximum."""

    points: pd.DataFrame
    max_score: pd.Series
    groups: pd.DataFrame
    synthetic: bool = False
    source: str = ""

    @property
    def n_respondents(self) -> int:
        return len(self.points)


def load_scores(source: str | Path | pd.DataFrame) -> Scores:
    """Read and check item scores (long: respondent_id, item, score, max_score)."""
    frame, name = read_table(source)
    allowed = set(META) | set(SCORE_COLUMNS)
    what = f"expected {', '.join(SCORE_COLUMNS)}"
    problems = _check_header(frame, allowed, SCORE_COLUMNS, name, what)
    problems += _check_rows(frame, ["respondent_id", "item"], name)
    score = pd.to_numeric(frame["score"], errors="coerce")
    top = pd.to_numeric(frame["max_score"], errors="coerce")
    bad = frame[~(top > 0)]
    for value, rows in bad.groupby("max_score", sort=False)[ROW]:
        problems.append(f"{name}: {_rows(rows)}: max_score {value!r} is not a number above 0")
    bad = frame[(frame["score"] != "") & ~score.between(0, top)]
    for value, rows in bad.groupby("score", sort=False)[ROW]:
        problems.append(f"{name}: {_rows(rows)}: score {value!r} is not between 0 and max_score")
    spread = top.groupby(frame["item"]).nunique()
    for item in spread[spread > 1].index:
        rows = frame.loc[frame["item"] == item, ROW]
        problems.append(f"{name}: {_rows(rows)}: item {item!r} has more than one max_score")
    if problems:
        raise DataError(problems)
    frame = frame.assign(score=score)
    points = frame.pivot(index="respondent_id", columns="item", values="score")
    groups = frame.drop_duplicates("respondent_id").set_index("respondent_id")[list(GROUPS)]
    maxes = top.groupby(frame["item"]).first().reindex(points.columns)
    synthetic = "synthetic" in frame and frame["synthetic"].str.lower().isin(TRUE).any()
    return Scores(points, maxes, groups.reindex(points.index), bool(synthetic), name)
