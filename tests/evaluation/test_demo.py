"""The synthetic dataset and the `peercare demo-data` command."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from peercare.cli import main
from peercare.evaluation import demo
from peercare.evaluation.errors import DemoDataError


def test_seeded_and_labelled_synthetic_everywhere(banks, demo_dir):
    first = demo.generate(60, seed=3, banks=banks)
    again = demo.generate(60, seed=3, banks=banks)
    other = demo.generate(60, seed=4, banks=banks)
    for name, table in first.items():
        pd.testing.assert_frame_equal(table, again[name])
        assert (table["synthetic"] == "true").all(), name
    assert not first["reaction"].equals(other["reaction"])
    manifest = json.loads((demo_dir / demo.MANIFEST).read_text())
    assert manifest["synthetic"] is True and manifest["seed"] == 7
    assert "SYNTHETIC" in (demo_dir / "README.md").read_text()


def test_demo_has_cohorts_sites_a_tiny_site_and_every_part(banks):
    tables = demo.generate(120, seed=1, banks=banks)
    assert set(tables) == {"knowledge", "quiz", "reaction", "retrospective", "certification"}
    k = tables["knowledge"]
    assert k["cohort"].nunique() == 3 and k["site"].nunique() == 5
    assert k.drop_duplicates("respondent_id")["site"].value_counts()[demo.TINY_SITE] == 3
    assert set(k["time"]) == {"pre", "post"} and k["time"].value_counts()["post"] < 120
    assert tables["reaction"]["helped"].str.len().gt(0).any()  # free text
    assert {"item", "response"} <= set(tables["retrospective"].columns)  # long layout


def test_refuses_a_folder_of_other_files(tmp_path, banks):
    (tmp_path / "real.csv").write_text("respondent_id\nx\n")
    with pytest.raises(DemoDataError, match="not demo data"):
        demo.write_demo(tmp_path, banks=banks)
    assert (tmp_path / "real.csv").exists()
    with pytest.raises(DemoDataError, match="is a file"):
        demo.write_demo(tmp_path / "real.csv", banks=banks)


def test_rewrites_its_own_folder_and_refreshes_after_bank_changes(tmp_path, banks):
    folder = demo.write_demo(tmp_path / "d", n=30, banks=banks)
    demo.write_demo(folder, n=40, banks=banks)  # its own folder: fine
    assert json.loads((folder / demo.MANIFEST).read_text())["respondents"] == 40
    stamp = (folder / "quiz.csv").stat().st_mtime_ns
    demo.ensure_demo(folder, banks=banks)  # banks unchanged: nothing written
    assert (folder / "quiz.csv").stat().st_mtime_ns == stamp
    fewer = {"alpha": banks["alpha"].model_copy(update={"questions": banks["alpha"].questions[:3]})}
    demo.ensure_demo(folder, banks=fewer)
    assert "q-quiz-only" not in set(pd.read_csv(folder / "quiz.csv")["item"])


def test_cli_writes_demo_data(tmp_path, capsys):
    assert main(["demo-data", "--out", str(tmp_path / "x"), "--respondents", "30"]) == 0
    assert "SYNTHETIC" in capsys.readouterr().out
    assert (tmp_path / "x" / "knowledge.csv").is_file()


def test_cli_reports_errors_without_a_traceback(tmp_path, capsys):
    (tmp_path / "notes.txt").write_text("mine")
    assert main(["demo-data", "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("peercare demo-data:") and "Traceback" not in err
    with pytest.raises(SystemExit):
        main(["demo-data", "--respondents", "1"])
