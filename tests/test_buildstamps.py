"""What a rebuild skips is judged by the content of its inputs, never by file times: an
edited bank is checked again (even with its old time), a failed check is not remembered,
and a damaged icon font is made again. No book is built here (see test_book_build.py)."""

from __future__ import annotations

import os

import pytest

from peercare.book.build import check_banks
from peercare.book.buildstamps import STAMPS_FILE, Stamps
from peercare.book.icons import write_icon_font
from peercare.content.bank import BankError

BANK = """\
module: a
questions:
  - id: a-one
    kind: single
    prompt: Which one?
    options:
      - id: x
        text: This one
        correct: true
        feedback: Right, this one.
      - id: y
        text: That one
        feedback: Not that one.
"""


def test_an_edited_bank_is_checked_again_even_with_its_old_time(project):
    bank = project.add_bank("a", BANK)
    check_banks(project, Stamps(project))
    assert "banks" in Stamps(project).data, "a passing check is remembered"

    was = bank.stat()
    bank.write_text(BANK.replace("correct: true", "correct: false"))
    os.utime(bank, ns=(was.st_atime_ns, was.st_mtime_ns))
    with pytest.raises(BankError, match="a-one.*no option is marked correct"):
        check_banks(project, Stamps(project))
    with pytest.raises(BankError, match="no option is marked correct"):  # not remembered
        check_banks(project, Stamps(project))

    bank.write_text(BANK)
    check_banks(project, Stamps(project))
    project.add_bank("b", BANK.replace("module: a", "module: b"))  # a new bank, same ids
    with pytest.raises(BankError, match="duplicate id"):
        check_banks(project, Stamps(project))


def test_a_damaged_icon_font_is_made_again_and_bad_stamps_are_ignored(tmp_path):
    out = tmp_path / "icons.woff"
    write_icon_font(out, Stamps(tmp_path))
    made = out.read_bytes()
    out.write_bytes(b"not a font")
    write_icon_font(out, Stamps(tmp_path))
    assert out.read_bytes() == made

    (tmp_path / STAMPS_FILE).write_text("{not json")
    assert Stamps(tmp_path).data == {}
    out.unlink()
    write_icon_font(out, Stamps(tmp_path))
    assert out.read_bytes() == made
