"""Join codes, facilitator keys and participant tokens (stdlib only).

* A join code is six characters (eight for a session on the internet) from an alphabet with no look-alikes (no 0/O, 1/I/L), so
  it can be read aloud or off a projector; it is unique among open sessions (the store
  also enforces that with a partial unique index, so two laptops sharing PostgreSQL
  cannot hand out the same code).
* A facilitator key is twelve characters from the same alphabet (about 59 bits), shown
  once as ``ABCD-EFGH-JKMN`` and stored only as a salted scrypt hash. Codes and keys are
  read without regard to case, spaces or dashes.
* A participant token (:func:`new_respondent`) is random per participant page.

Both :mod:`peercare.store` and :mod:`peercare.live` import this module; neither imports
the other at load time.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Callable, Collection

ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0, O, 1, I, L
CODE_LENGTH = 6
PUBLIC_CODE_LENGTH = 8
"""For a session on the internet (``peercare serve --public-url``): 31**8 codes, about
950,000 times as many as there are 6-character ones, so guessing one is hopeless."""
CODE_LENGTH_ENV = "PEERCARE_CODE_LENGTH"  # the store's new codes: 6 (default) or 8
KEY_LENGTH = 12
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
