"""Data in: both layouts, and every kind of bad input reported with its rows."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from peercare.evaluation.dataset import open_data
from peercare.evaluation.errors import DataError
from peercare.evaluation.tables import load_responses, load_scores

WIDE = """
respondent_id,cohort,site,time,q-single,q-multi,q-tf
p1,c1,s1,pre,a,a|b,true
p1,c1,s1,post,b,b|a,false
p2,c1,s2,pre,c,a,true
"""


def problems(excinfo) -> str:
    return "\n".join(excinfo.value.problems)


def test_wide_and_long_give_the_same_answers(write_csv, knowledge):
    wide = load_responses(write_csv(WIDE), knowledge)
    rows = []
    for _, r in wide.answers.iterrows():
        for item in knowledge.item_ids:
            rows.append(
                {
                    "respondent_id": r["respondent_id"],
                    "cohort": r["cohort"],
                    "site": r["site"],
                    "time": r["time"],
                    "item": item,
                    "response": r[item],
                }
            )
    long = load_responses(write_csv(rows, "long.csv"), knowledge)
    cols = ["respondent_id", "time", *knowledge.item_ids]
    pd.testing.assert_frame_equal(wide.answers[cols], long.answers[cols])
    assert wide.answers.loc[1, "q-multi"] == "a|b"  # "b|a" normalised
    assert list(wide.scores["total"].round(2)) == [100.0, 33.33, 33.33]
    assert not wide.synthetic


def test_a_data_frame_from_a_store(knowledge):
    frame = pd.DataFrame(
        {
            "respondent_id": [1, 2],
            "time": ["pre", "pre"],
            "q-single": ["a", None],
            "q-multi": ["a|b", "a"],
            "q-tf": ["true", "false"],
        }
    )
    got = load_responses(frame, knowledge)
    assert list(got.answers["respondent_id"]) == ["1", "2"]
    assert got.answers["cohort"].eq("not given").all()
    assert pd.isna(got.answers.loc[1, "q-single"])


def test_unknown_columns_are_named_on_the_header_row(write_csv, knowledge):
    path = write_csv(WIDE.replace("q-tf\n", "q-tf,name\n").replace("true\n", "true,Ann\n", 1))
    with pytest.raises(DataError) as err:
        load_responses(path, knowledge)
    assert "row 1 (header): unknown column 'name'" in problems(err)


def test_out_of_range_and_non_numbers_with_row_numbers(write_csv, reaction):
    rows = [dict.fromkeys(reaction.item_ids, "4") | {"respondent_id": f"r{i}"} for i in range(6)]
    rows[1]["useful"] = "7"
    rows[3]["useful"] = "7"
    rows[4]["pace"] = "often"
    rows[5]["safe"] = "2.5"
    with pytest.raises(DataError) as err:
        load_responses(write_csv(rows), reaction)
    text = problems(err)
    assert "rows 3, 5: useful = '7'; expected a whole number from 1 to 5" in text
    assert "row 6: pace = 'often'" in text
    assert "row 7: safe = '2.5'" in text


def test_choice_answers_are_checked(write_csv, knowledge):
    bad = WIDE.replace("p2,c1,s2,pre,c,a,true", "p2,c1,s2,pre,a|b,a|d,maybe")
    with pytest.raises(DataError) as err:
        load_responses(write_csv(bad), knowledge)
    text = problems(err)
    assert "row 4: q-single = 'a|b'; expected one of a|b|c" in text
    assert "row 4: q-multi = 'a|d'" in text and "several joined by |" in text
    assert "row 4: q-tf = 'maybe'" in text


def test_duplicate_respondents_name_both_rows(write_csv, knowledge):
    with pytest.raises(DataError) as err:
        load_responses(write_csv(WIDE + "p2,c1,s2,pre,a,a,true\n"), knowledge)
    assert "rows 4, 5: respondent_id 'p2', time 'pre' appears more than once" in problems(err)


def test_duplicates_in_long_data(write_csv, reaction):
    text = (
        "respondent_id,item,response\n"
        + "".join(f"r1,{i},4\n" for i in reaction.item_ids)
        + "r1,useful,5\n"
    )
    with pytest.raises(DataError) as err:
        load_responses(write_csv(text), reaction)
    assert "rows 2, 9: respondent_id 'r1', item 'useful' appears more than once" in problems(err)


def test_changing_site_blank_id_bad_time_and_missing_item(write_csv, knowledge):
    text = """
    respondent_id,site,time,q-single,q-multi
    p1,s1,pre,a,a
    p1,s2,post,a,a
    ,s1,pre,a,a
    p3,s1,during,a,a
    """
    with pytest.raises(DataError) as err:
        load_responses(write_csv(text), knowledge)
    text = problems(err)
    assert "rows 2, 3: respondent 'p1' has different site values ('s1', 's2')" in text
    assert "row 4: respondent_id is blank" in text
    assert "row 5: time 'during' is not one of ['pre', 'post']" in text
    assert "no answers at all for item(s) q-tf" in text


def test_missing_required_columns(write_csv, knowledge):
    with pytest.raises(DataError, match=r"missing column\(s\) respondent_id, time"):
        load_responses(write_csv("id,q-single\n1,a\n"), knowledge)


def test_unknown_item_in_long_data(write_csv, reaction):
    text = "respondent_id,item,response\nr1,useful,4\nr1,favourite-colour,blue\n"
    with pytest.raises(DataError) as err:
        load_responses(write_csv(text), reaction)
    assert "row 3: item 'favourite-colour' is not in 'reaction'" in problems(err)


def test_unreadable_files(tmp_path, knowledge):
    (tmp_path / "empty.csv").write_text("")
    (tmp_path / "latin1.csv").write_bytes("respondent_id,time\ncaf\xe9,pre\n".encode("latin-1"))
    for name, message in (
        ("empty.csv", "the file is empty"),
        ("latin1.csv", "not UTF-8"),
        ("nope.csv", "no such file"),
    ):
        with pytest.raises(DataError, match=message):
            load_responses(tmp_path / name, knowledge)


def test_many_problems_are_all_kept_but_the_message_is_capped(write_csv, reaction):
    rows = [
        dict.fromkeys(reaction.item_ids, "4") | {"respondent_id": f"r{i}", "useful": str(10 + i)}
        for i in range(60)
    ]
    with pytest.raises(DataError) as err:
        load_responses(write_csv(rows), reaction)
    assert len(err.value.problems) == 60
    assert str(err.value).endswith("... and 20 more problems")


def test_synthetic_flag_is_read(write_csv, knowledge):
    text = WIDE.replace("q-tf\n", "q-tf,synthetic\n").replace("true\n", "true,true\n")
    assert load_responses(write_csv(text), knowledge).synthetic
    with pytest.raises(DataError, match="synthetic is true or false"):
        load_responses(write_csv(text.replace(",true\n", ",perhaps\n", 1)), knowledge)


def test_paired_scores_count_the_unpaired(write_csv, knowledge):
    pairs, unpaired = load_responses(write_csv(WIDE), knowledge).paired()
    assert list(pairs["respondent_id"]) == ["p1"] and unpaired == 1
    assert (pairs.loc[0, "before"], round(pairs.loc[0, "after"], 2)) == (100.0, 33.33)


def test_scores_are_checked(write_csv):
    text = """
    respondent_id,item,score,max_score
    c1,k1,1,1
    c1,k2,3,2
    c2,k1,1,2
    c2,k2,,2
    c3,k1,1,0
    """
    with pytest.raises(DataError) as err:
        load_scores(write_csv(text))
    text = problems(err)
    assert "row 3: score '3' is not between 0 and max_score" in text
    assert "row 6: max_score '0' is not a number above 0" in text
    assert "item 'k1' has more than one max_score" in text


def test_scores_load(write_csv):
    text = "respondent_id,item,score,max_score\nc1,k1,1,1\nc1,k2,2,2\nc2,k1,0,1\nc2,k2,,2\n"
    got = load_scores(write_csv(text))
    assert got.max_score.to_dict() == {"k1": 1, "k2": 2}
    assert np.isnan(got.points.loc["c2", "k2"]) and got.n_respondents == 2


def test_open_data_collects_problems_from_every_file(demo_dir, tmp_path, banks):
    folder = tmp_path / "mixed"
    folder.mkdir()
    for name in ("reaction.csv", "certification.csv"):
        text = (demo_dir / name).read_text()
        (folder / name).write_text(text.replace("Northside", "Northside,extra", 1))
    with pytest.raises(DataError) as err:
        open_data(folder, banks=banks)
    assert sum("reaction.csv" in p for p in err.value.problems) >= 1
    assert sum("certification.csv" in p for p in err.value.problems) >= 1


def test_open_data_reads_the_demo(demo_dir, banks):
    data = open_data(demo_dir, banks=banks)
    assert set(data.parts) == {"knowledge", "reaction", "retrospective", "quiz", "certification"}
    assert data.synthetic and all(p.synthetic for p in data.parts.values())


def test_notebooks_show_problems_without_a_traceback(write_csv, reaction):
    with pytest.raises(DataError) as err:
        load_responses(write_csv("respondent_id,useful\nr1,9\n"), reaction)
    lines = err.value._render_traceback_()  # what IPython and Voila print
    assert lines[0] == "DataError: please fix these problems"
    assert any("row 2: useful = '9'" in line for line in lines)
    assert not any("Traceback" in line for line in lines)
