"""Collect that refuses submissions whose identity does not hold.

nbgrader's own collect files a submission under whatever id the candidate's computer gave it
(autograde then creates that "student"), and ``check_owner`` only logs a warning. The course
config uses :class:`CheckedCollect` instead, so ``nbgrader collect`` and
``peercare cert collect`` both refuse, with a clear message, a submission

- from an id that is not on the candidate list (``peercare cert add-candidates``), or
- with ``PEERCARE_CHECK_OWNER=1`` (each candidate has their own computer account), whose
  files are owned by another account than the id it claims.

A refused submission is never copied to ``submitted/``, so it is never graded; when the same
id also sent an earlier submission that holds, that one is collected instead. Refusals are
kept in ``review/refused.json`` for ``peercare cert status``.
"""

from __future__ import annotations

import os
from pathlib import Path

from nbgrader.api import Gradebook
from nbgrader.exchange.default.collect import ExchangeCollect

from .review import write_json

REFUSED_FILE = "refused.json"


def _owner(path: str) -> str:
    import pwd

    uid = os.stat(path).st_uid
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return f"account number {uid}"


class CheckedCollect(ExchangeCollect):
    def init_src(self):
        with Gradebook(self.coursedir.db_url, self.coursedir.course_id) as gb:
            self._listed = {s.id for s in gb.students}
        super().init_src()

    def _refusal(self, record) -> str | None:
        who = record["username"]
        if who not in self._listed:
            return (
                f"'{who}' is not on the candidate list; if this is a real candidate, add them "
                "with `peercare cert add-candidates` and collect again"
            )
        if self.check_owner:
            owner = _owner(os.path.join(self.inbound_path, record["filename"]))
            if owner != who:
                return f"it claims to be from '{who}' but was sent by the account '{owner}'"
        return None

    def _path_to_record(self, path):
        record = super()._path_to_record(path)
        record["refused"] = self._refusal(record)
        return record

    def _sort_by_timestamp(self, records):
        # newest first, but a refused submission only when the id has nothing that holds
        return sorted(records, key=lambda r: (r["refused"] is None, r["timestamp"]), reverse=True)

    def copy_files(self):
        refused = [r for r in self.src_records if r["refused"]]
        self.src_records = [r for r in self.src_records if not r["refused"]]
        for rec in refused:
            self.log.error(
                "Refused submission: %s %s: %s",
                rec["username"], self.coursedir.assignment_id, rec["refused"],
            )  # fmt: skip
        self._keep(refused)
        super().copy_files()

    def _keep(self, refused) -> None:
        path = Path(self.coursedir.root) / "review" / REFUSED_FILE
        assignment = self.coursedir.assignment_id
        kept = [r for r in read_refused(path.parent) if r["assignment"] != assignment]
        kept += [
            {"candidate": r["username"], "assignment": assignment, "file": r["filename"],
             "reason": r["refused"]}
            for r in refused
        ]  # fmt: skip
        write_json(path, {"refused": kept})


def read_refused(review_dir) -> list[dict]:
    import json

    try:
        data = json.loads((Path(review_dir) / REFUSED_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    return list(data.get("refused", []))
