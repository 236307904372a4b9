"""Pre/post tables, reaction summaries and item analysis on crafted data."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from peercare.evaluation import items, prepost, reaction
from peercare.evaluation.stats import paired_change
from peercare.evaluation.suppression import HIDDEN
from peercare.evaluation.tables import load_responses, load_scores


def knowledge_rows(sites: dict[str, int], seed: int = 0):
    """Pre/post knowledge answers: everyone gets more right after."""
    rng = np.random.default_rng(seed)
    rows, k = [], 0
    for site, n in sites.items():
        for _ in range(n):
            k += 1
            for time, p in (("pre", 0.4), ("post", 0.8)):
                right = rng.random(3) < p
                rows.append(
                    {
                        "respondent_id": f"p{k}",
                        "cohort": f"c{k % 2}",
                        "site": site,
                        "time": time,
                        "q-single": "a" if right[0] else "b",
                        "q-multi": "a|b" if right[1] else "a",
                        "q-tf": "true" if right[2] else "false",
                    }
                )
    return rows


@pytest.fixture
def crafted(write_csv, knowledge):
    return load_responses(write_csv(knowledge_rows({"Big": 30, "Mid": 12, "Tiny": 2})), knowledge)


def test_change_by_group_matches_the_reference_per_group(crafted):
    table = prepost.knowledge_change(crafted)
    pairs, _ = crafted.paired()
    for (kind, name), row in table.stats.iterrows():
        part = pairs if kind == "All" else pairs[pairs[kind.lower()] == name]
        ref = paired_change(part["before"], part["after"])
        assert row["n"] == ref.n and row["change"] == pytest.approx(ref.change)
        assert row["p_wilcoxon"] == pytest.approx(ref.p_wilcoxon, nan_ok=True)


def test_tiny_site_and_its_complement_are_hidden(crafted):
    table = prepost.knowledge_change(crafted)
    hidden = table.hidden
    assert hidden[("Site", "Tiny")] and hidden[("Site", "Mid")] and not hidden[("Site", "Big")]
    shown = table.display()
    assert (shown.loc[("Site", "Tiny")] == HIDDEN).all()
    assert (shown.loc[("Site", "Mid")] == HIDDEN).all()
    assert shown.loc[("All", "Everyone"), "People"] == "44"


def test_everything_hidden_when_the_whole_group_is_small(write_csv, knowledge):
    small = load_responses(write_csv(knowledge_rows({"A": 2, "B": 2})), knowledge)
    table = prepost.knowledge_change(small)
    assert table.hidden.all() and (table.display() == HIDDEN).all().all()


def test_threshold_is_configurable(crafted):
    table = prepost.knowledge_change(crafted, threshold=13)
    assert table.hidden[("Site", "Mid")] and table.hidden[("Site", "Tiny")]
    assert not prepost.knowledge_change(crafted, threshold=2).hidden.any()


def test_retrospective_items_and_score(demo_dir):
    retro = load_responses(demo_dir / "retrospective.csv", "retrospective")
    topics = prepost.item_change(retro)
    assert len(topics.stats) == 5 and (topics.stats["change"] > 0).all()
    overall = prepost.score_change(retro)
    assert overall.stats.loc[("All", "Everyone"), "n"] == retro.n_respondents
    assert overall.hidden[("Site", "Hillcrest")]  # the demo's tiny site


def reaction_rows(sites: dict[str, int]):
    rows, k = [], 0
    for site, n in sites.items():
        for i in range(n):
            k += 1
            rows.append(
                {
                    "respondent_id": f"r{k}",
                    "site": site,
                    "useful": 5,
                    "will-use": 4,
                    "recommend": 4,
                    "safe": 5,
                    "own-way": 4,
                    "pace": 3 + i % 2,
                    "hard-to-follow": 1,
                    "helped": f"The breathing at {site}" if i < 3 else "",
                    "change": "More time to practice" if i == 0 else "",
                }
            )
    return rows


def test_reaction_summaries_and_themes(write_csv):
    data = load_responses(write_csv(reaction_rows({"Big": 20, "Tiny": 3, "Mid": 8})), "reaction")
    items_ = reaction.item_summary(data)
    assert items_.stats.loc["The pace was right for me.", "Agree"] == pytest.approx(15 / 31)
    groups = reaction.score_by_group(data)
    assert groups.hidden[("Site", "Tiny")] and groups.hidden[("Site", "Mid")]
    themes = reaction.themes(data)
    shown = themes.display()
    assert themes.stats.loc["grounding", "helped"] == 9
    assert shown.loc["grounding", "helped"] == 9
    assert shown.loc["practice", "change"] == HIDDEN  # 3 comments: under 5
    assert shown.loc["(comments in all)", "change"] == HIDDEN


def test_comments_only_for_large_enough_groups(write_csv):
    data = load_responses(write_csv(reaction_rows({"Big": 20, "Tiny": 3, "Mid": 8})), "reaction")
    by_site = reaction.comments(data, by="site")
    assert set(by_site) == {"Big", reaction.POOLED}
    assert "The breathing at Tiny" in by_site[reaction.POOLED]["helped"]
    assert not any("Tiny" in t for t in by_site["Big"]["helped"])
    assert len(reaction.comments(data)["Everyone"]["helped"]) == 9
    small = load_responses(write_csv(reaction_rows({"A": 3})), "reaction")
    assert reaction.comments(small) == {}


def test_item_analysis_flags_a_bad_key_and_an_easy_item():
    rng = np.random.default_rng(1)
    ability = rng.normal(size=200)
    points = pd.DataFrame(
        {
            f"k{j}": (rng.random(200) < 1 / (1 + np.exp(-(1.5 * ability - 0.2 * j)))).astype(float)
            for j in range(6)
        }
    )
    points["bad-key"] = (rng.random(200) < 1 / (1 + np.exp(1.5 * ability))).astype(float)
    points["too-easy"] = (rng.random(200) < 0.97).astype(float)
    got = items.analyse(points)
    assert {"bad-key", "too-easy"} <= set(got.review.index)
    assert "not more likely" in got.review.loc["bad-key", "why"]
    assert "almost everyone" in got.review.loc["too-easy", "why"]
    assert got.items.loc["k0", "difficulty"] == pytest.approx(points["k0"].mean())
    assert not got.hidden and got.n == 200


def test_distractor_analysis_from_choices(write_csv, knowledge):
    rows = []
    for i in range(40):
        good = i % 4 != 0
        rows.append(
            {
                "respondent_id": f"p{i}",
                "time": "post",
                "q-single": "a" if good else "c",
                "q-multi": "a|b" if good else "b",
                "q-tf": "true" if i % 2 else "false",
            }
        )
    got = items.analyse_responses(load_responses(write_csv(rows), knowledge))
    opts = got.options.set_index(["item", "option"])
    assert (
        opts.loc[("q-single", "a"), "rate"] == 0.75 and opts.loc[("q-single", "c"), "rate"] == 0.25
    )
    assert opts.loc[("q-multi", "b"), "rate"] == 1.0  # chosen in both answers
    assert opts.loc[("q-single", "c"), "r"] < 0


def test_item_analysis_is_hidden_for_a_small_group(write_csv):
    text = "respondent_id,item,score,max_score\n" + "".join(
        f"c{i},k{j},{(i + j) % 2},1\n" for i in range(4) for j in range(3)
    )
    got = items.analyse_scores(load_scores(write_csv(text)))
    assert got.hidden


def test_partial_credit_difficulty(write_csv):
    text = "respondent_id,item,score,max_score\n" + "".join(
        f"c{i},k1,{i % 3},2\nc{i},k2,{i % 2},1\n" for i in range(9)
    )
    got = items.analyse_scores(load_scores(write_csv(text)))
    assert got.items.loc["k1", "difficulty"] == pytest.approx(
        np.mean([i % 3 for i in range(9)]) / 2
    )


def test_parallel_forms_are_scored_compared_and_analysed_per_form(demo_dir, banks):
    from peercare.evaluation.dataset import open_data

    k = open_data(demo_dir, banks=banks).knowledge
    inst = k.instrument
    scores = k.scores
    assert set(scores["form"].dropna()) == {"a", "b"}
    # counterbalanced: each person takes the other form after the training
    both = scores.pivot(index="respondent_id", columns="time", values="form").dropna()
    assert len(both) and (both["pre"] != both["post"]).all()
    assert set(both["pre"]) == {"a", "b"}
    stats, hidden = prepost.form_scores(k)
    assert list(stats.index) == [(t, f) for t in ("pre", "post") for f in ("a", "b")]
    assert not hidden.any() and stats["people"].sum() == scores["total"].notna().sum()
    change = prepost.knowledge_change(k)
    assert change.stats.loc[("All", "Everyone"), "change"] > 0
    for form in ("a", "b"):
        got = items.analyse_responses(k, form=form)
        assert list(got.items.index) == inst.forms[form]
        assert got.n == (scores["form"] == form).sum()
        assert f"form {form.upper()}" in got.title


def test_form_scores_hide_small_groups(write_csv):
    from peercare.content.instruments import load_instrument

    inst = load_instrument("knowledge")
    a, b = inst.forms["a"], inst.forms["b"]
    key = {i.id: i.correct[0] for i in inst.items}
    rows = []
    for n in range(8):  # 6 take A then B, 2 take B then A
        first, second = (a, b) if n < 6 else (b, a)
        for time, items_taken in (("pre", first), ("post", second)):
            row = {"respondent_id": f"p{n}", "time": time, **{i: "" for i in a + b}}
            row.update({i: key[i] for i in items_taken})
            rows.append(row)
    k = load_responses(write_csv(rows), inst)
    stats, hidden = prepost.form_scores(k, threshold=5)
    assert stats.loc[("pre", "a"), "people"] == 6 and not hidden[("pre", "a")]
    assert stats.loc[("pre", "b"), "people"] == 2 and hidden[("pre", "b")]
    assert (stats["mean"] == 100).all()
