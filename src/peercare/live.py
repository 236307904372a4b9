"""Live sessions: join codes, facilitator keys, and counts that never expose a small group.

* A join code is six characters from an alphabet with no look-alikes (no 0/O, 1/I/L), so
  it can be read aloud or off a projector; it is unique among open sessions (the store
  also enforces that with a partial unique index, so two laptops sharing PostgreSQL
  cannot hand out the same code).
* A facilitator key is twelve characters from the same alphabet (about 59 bits), shown
  once as ``ABCD-EFGH-JKMN`` and stored only as a salted scrypt hash. Codes and keys are
  read without regard to case, spaces or dashes.
* :func:`tally` counts the answers to one item for the facilitator's dashboard. A count
  under the session's threshold (default 5) is hidden, and so are enough other counts that
  no hidden one can be worked out from the total (the complementary suppression of
  :mod:`peercare.evaluation.suppression`). Until the threshold is reached the total is
  hidden too. Each participant counts once per item (their latest answer).

This module imports nothing heavy at load time: participant kernels import it through the
store and never need pandas or SciPy.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections import Counter
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from .store import Store

ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0, O, 1, I, L
CODE_LENGTH = 6
PUBLIC_CODE_LENGTH = 8
"""For a session on the internet (``peercare serve --public-url``): 31**8 codes, about
950,000 times as many as there are 6-character ones, so guessing one is hopeless."""
CODE_LENGTH_ENV = "PEERCARE_CODE_LENGTH"  # the store's new codes: 6 (default) or 8
KEY_LENGTH = 12
OTHER = "(other answers)"
"""The one bucket for answers that are not listed: rare free-text answers, or an answer
outside the item's ``options``. Listing a rare answer by name would tell the room that
someone gave it, so those are pooled (and the pool is hidden when it is small)."""

# scrypt with N=2**14, r=8, p=1: 16 MiB and some tens of milliseconds per check.
_SCRYPT = {"n": 2**14, "r": 8, "p": 1, "dklen": 32}


def normalize_code(text: object) -> str:
    """A code or key as typed, upper-case, without spaces or dashes (``""`` for non-text)."""
    if not isinstance(text, str):
        return ""
    return "".join(text.split()).replace("-", "").replace("\u2010", "").upper()


def is_code(text: str, length: int | None = None) -> bool:
    """Whether ``text`` (already normalized) could be a code of ``length`` characters
    (without ``length``: of either length the kit makes)."""
    lengths = (CODE_LENGTH, PUBLIC_CODE_LENGTH) if length is None else (length,)
    return len(text) in lengths and all(c in ALPHABET for c in text)


def new_code(
    taken: Collection[str] | Callable[[str], bool] = (),
    length: int = CODE_LENGTH,
    tries: int = 1000,
) -> str:
    """A fresh join code not in ``taken`` (the codes of open sessions, or a test for one)."""
    in_use = taken if callable(taken) else taken.__contains__
    for _ in range(tries):
        code = "".join(secrets.choice(ALPHABET) for _ in range(length))
        if not in_use(code):
            return code
    raise RuntimeError(f"no free session code after {tries} tries; close some old sessions")


def new_key() -> str:
    """A facilitator key, shown once, grouped for reading: ``ABCD-EFGH-JKMN``."""
    raw = "".join(secrets.choice(ALPHABET) for _ in range(KEY_LENGTH))
    return "-".join(raw[i : i + 4] for i in range(0, KEY_LENGTH, 4))


def new_respondent() -> str:
    """A random participant token: make one per participant page (kernel) and pass it with
    every answer, so one person's answers can be linked for the evaluation (pre/post,
    then/now) and counted once per item, without saying who they are."""
    return "p" + secrets.token_hex(8)


def hash_key(key: str) -> str:
    """``scrypt$<log2 N>$<r>$<p>$<salt hex>$<hash hex>`` for the normalized key."""
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(normalize_code(key).encode(), salt=salt, **_SCRYPT)
    log_n = _SCRYPT["n"].bit_length() - 1
    return f"scrypt${log_n}${_SCRYPT['r']}${_SCRYPT['p']}${salt.hex()}${digest.hex()}"


def check_key(key: str, stored: str) -> bool:
    """Whether ``key`` matches a :func:`hash_key` value (constant-time compare)."""
    try:
        scheme, log_n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        expected = bytes.fromhex(digest)
        got = hashlib.scrypt(
            normalize_code(key).encode(),
            salt=bytes.fromhex(salt),
            n=2 ** int(log_n),
            r=int(r),
            p=int(p),
            dklen=len(expected),
        )
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(got, expected)


@dataclass
class Tally:
    """Counts for one item as the dashboard may show them.

    ``counts`` maps each answer (the ``options`` in their order, then :data:`OTHER` when
    needed) to its count, or ``None`` where hidden; ``total`` is ``None`` below the
    threshold; ``hidden`` says whether anything is hidden; ``note`` says why, in plain words.
    """

    item: str
    counts: dict[str, int | None]
    total: int | None
    hidden: bool
    note: str
    threshold: int = field(default=5)


def summarize(
    item: str,
    answers: Iterable[str] | Counter,
    threshold: int = 5,
    options: list[str] | None = None,
) -> Tally:
    """The :class:`Tally` of some answers (one per person), with small counts hidden.

    With ``options``, those are listed in order (zeros included) and anything else is
    pooled under :data:`OTHER`. Without, answers given by at least ``threshold`` people are
    listed in alphabetical order (never by size, which would rank the hidden ones) and the
    rest are pooled under :data:`OTHER`.
    """
    from .evaluation.suppression import explain, protect_line

    raw = answers if isinstance(answers, Counter) else Counter(answers)
    total = sum(raw.values())
    if options is not None:
        keys = list(dict.fromkeys(options))
        rest = [a for a in raw if a not in keys]
    else:
        keys = sorted(a for a, n in raw.items() if n >= threshold)
        rest = [a for a in raw if raw[a] < threshold]
    counts = {k: raw.get(k, 0) for k in keys}
    if rest:
        counts[OTHER] = sum(raw[a] for a in rest)
    if total < threshold:
        note = (
            f"Fewer than {threshold} answers so far. The counts show once {threshold} "
            "people have answered."
        )
        return Tally(item, dict.fromkeys(counts), None, True, note, threshold)
    hide = [bool(h) for h in protect_line(list(counts.values()), threshold)]
    # protect_line hides at least two counts holding at least `threshold` people together,
    # so with non-negative counts no hidden one is fixed by the total and the shown ones
    # (tests/store/test_tally.py checks this with the evaluation kit's LP checker).
    shown = {k: (None if h else n) for (k, n), h in zip(counts.items(), hide, strict=True)}
    hidden = any(hide)
    return Tally(item, shown, total, hidden, explain(threshold) if hidden else "", threshold)


def tally(
    store: Store,
    code: str,
    key: str,
    app: str,
    item: str,
    options: list[str] | None = None,
) -> Tally:
    """The facilitator's counts for one item of one app in a session (see :func:`summarize`).

    Needs the facilitator key (``NotAuthorized`` otherwise); uses the session's threshold.
    Each participant counts once: their latest answer to the item.
    """
    info = store.session_for_facilitator(code, key)
    answers = store.item_answers(code, key, app, item)
    return summarize(item, answers, info.threshold, options)
