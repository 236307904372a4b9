"""What the rehearsal sent, answer by answer, to compare with what was stored, exported
and read."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Sent:
    session: str
    app: str
    item: str
    answer: str
    time: str = ""


@dataclass
class Ledger:
    sent: list[Sent] = field(default_factory=list)
    pages: dict[str, int] = field(default_factory=dict)  # session -> participant pages joined

    def add(self, session: str, app: str, answers: list[tuple], time: str = "") -> None:
        for entry in answers:
            item, answer, *when = entry
            self.sent.append(Sent(session, app, item, answer, (when or [time])[0] or ""))

    def by_app(self) -> Counter:
        return Counter(s.app for s in self.sent)

    def rows(self) -> Counter:
        return Counter(self.sent)
