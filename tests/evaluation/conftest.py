"""Crafted question banks and data folders for the evaluation tests."""

from __future__ import annotations

import textwrap

import pandas as pd
import pytest

from peercare.content.bank import parse_bank
from peercare.content.instruments import load_instrument, parse_instrument

BANK = """
module: alpha
questions:
  - id: q-single
    kind: single
    prompt: Pick one.
    topics: [knowledge]
    difficulty: easy
    options:
      - {id: a, text: A, correct: true, feedback: Yes.}
      - {id: b, text: B, feedback: No.}
      - {id: c, text: C, feedback: No.}
  - id: q-multi
    kind: multiple
    prompt: Pick all.
    topics: [knowledge]
    options:
      - {id: a, text: A, correct: true, feedback: Yes.}
      - {id: b, text: B, correct: true, feedback: Yes.}
      - {id: c, text: C, feedback: No.}
  - id: q-tf
    kind: true_false
    prompt: True?
    topics: [knowledge]
    difficulty: hard
    options:
      - {id: "true", text: "True", correct: true, feedback: Yes.}
      - {id: "false", text: "False", feedback: No.}
  - id: q-quiz-only
    kind: single
    prompt: Not on the knowledge test.
    options:
      - {id: a, text: A, feedback: No.}
      - {id: b, text: B, correct: true, feedback: Yes.}
"""


@pytest.fixture(scope="session")
def banks():
    bank = parse_bank(textwrap.dedent(BANK), "alpha/questions.yml")
    return {bank.module: bank}


KNOWLEDGE = """
id: knowledge
title: Crafted knowledge test
times: [pre, post]
items_from_bank: {topics: [knowledge]}
scoring: {method: percent_correct, min_answered: 0.8}
license: {validated: false, name: CC BY 4.0, attribution: tests}
"""


@pytest.fixture(scope="session")
def knowledge(banks):
    """A one-form knowledge test of the crafted bank (the shipped one has two forms)."""
    return parse_instrument(KNOWLEDGE, "knowledge.yml", banks=banks)


@pytest.fixture(scope="session")
def reaction():
    return load_instrument("reaction")


@pytest.fixture
def write_csv(tmp_path):
    """Write rows (a list of dicts or a CSV string) to a file and return its path."""

    def write(rows, name: str = "data.csv"):
        path = tmp_path / name
        if isinstance(rows, str):
            path.write_text(textwrap.dedent(rows).lstrip())
        else:
            pd.DataFrame(rows).to_csv(path, index=False)
        return path

    return write


@pytest.fixture(scope="session")
def demo_dir(tmp_path_factory, banks):
    """A synthetic data folder made from the crafted banks."""
    from peercare.evaluation.demo import write_demo

    return write_demo(tmp_path_factory.mktemp("demo") / "demo", n=120, seed=7, banks=banks)
