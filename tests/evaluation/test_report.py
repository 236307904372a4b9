"""The report: synthetic label, readable charts, and no hidden cell leaked (crafted data)."""

from __future__ import annotations

import pandas as pd
import pytest
from bs4 import BeautifulSoup

from peercare.evaluation import demo, plots, prepost, report
from peercare.evaluation.dataset import open_data
from peercare.evaluation.suppression import HIDDEN

TINY = "Tinyville"


def crafted_folder(folder, banks, synthetic: bool):
    """Demo tables with two people moved to a site of their own; real data if not synthetic."""
    tables = demo.generate(150, seed=11, banks=banks)
    folder.mkdir()
    for name, table in tables.items():
        table = table.copy()
        table.loc[table["respondent_id"].str[1:].isin(["00001", "00002"]), "site"] = TINY
        if not synthetic:
            table = table.drop(columns="synthetic")
        table.to_csv(folder / f"{name}.csv", index=False)
    return folder


def tiny_rows(html: str):
    """Every table row that names the tiny site, and every column headed by it."""
    soup = BeautifulSoup(html, "html.parser")
    rows, columns = [], []
    for table in soup.find_all("table"):
        heads = [th.get_text(strip=True) for th in table.find("thead").find_all("th")]
        for tr in table.find("tbody").find_all("tr"):
            if TINY in [th.get_text(strip=True) for th in tr.find_all("th")]:
                rows.append([td.get_text(strip=True) for td in tr.find_all("td")])
            if TINY in heads:
                cells = [td.get_text(strip=True) for td in tr.find_all("td")]
                columns.append(cells[heads.index(TINY) - (len(heads) - len(cells))])
    return soup, rows, columns


def assert_no_leak(html: str):
    soup, rows, columns = tiny_rows(html)
    assert rows and columns, "the crafted site should appear, hidden"
    for cells in rows:
        assert cells and all(c == HIDDEN for c in cells), cells
    assert all(c in (HIDDEN, "0") for c in columns), columns
    for img in soup.find_all("img"):
        assert TINY not in img["alt"]
    for cap in soup.find_all("figcaption"):
        assert TINY not in cap.get_text()


@pytest.fixture(scope="module")
def real_like(tmp_path_factory, banks):
    return crafted_folder(tmp_path_factory.mktemp("r") / "real", banks, synthetic=False)


def test_no_hidden_cell_is_leaked(real_like, banks):
    html = report.build_report(open_data(real_like, banks=banks)).to_html()
    assert_no_leak(html)
    # the tiny site's complement is hidden too in every breakdown by site
    soup = BeautifulSoup(html, "html.parser")
    for table in soup.find_all("table"):
        site_rows = [tr for tr in table.find_all("tr") if tr.find("th", string="Site")]
        if site_rows:
            body = table.find("tbody").find_all("tr")
            hidden = [tr for tr in body if tr.find("td") and tr.find("td").get_text() == HIDDEN]
            assert len(hidden) >= 2


def test_real_data_has_no_synthetic_label(real_like, banks):
    soup = BeautifulSoup(
        report.build_report(open_data(real_like, banks=banks)).to_html(), "html.parser"
    )
    assert "synthetic" not in soup.body.get_text().lower()
    assert not soup.find(class_="pc-synthetic")


def test_demo_report_is_labelled_everywhere(demo_dir, banks):
    html = report.build_report(open_data(demo_dir, banks=banks)).to_html()
    soup = BeautifulSoup(html, "html.parser")
    assert soup.find(class_="pc-synthetic")
    for caption in soup.find_all("caption"):
        assert "synthetic" in caption.get_text().lower()
    figures = soup.find_all("figure")
    assert len(figures) >= 5
    for fig in figures:
        assert fig.find("img")["alt"].strip()
        assert fig.find("figcaption").get_text().startswith(demo.SYNTHETIC)


def test_comment_text_is_escaped(tmp_path, banks, demo_dir):
    folder = tmp_path / "x"
    folder.mkdir()
    table = pd.read_csv(demo_dir / "reaction.csv", dtype=str, keep_default_na=False)
    table.loc[table["helped"] != "", "helped"] = "<script>alert(1)</script>"
    table.to_csv(folder / "reaction.csv", index=False)
    html = report.build_report(open_data(folder, banks=banks)).to_html()
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_charts_have_titles_axes_captions_and_alt(demo_dir, banks):
    data = open_data(demo_dir, banks=banks)
    chart = plots.change_chart(prepost.knowledge_change(data.knowledge))
    assert chart.title and chart.caption and chart.alt.startswith("Dot chart")
    assert chart.png.startswith(b"\x89PNG")
    assert (chart.xlabel, chart.ylabel) == ("Average (% correct)", "Group")


def test_data_check_lists_problems_with_rows(tmp_path, banks, demo_dir):
    folder = tmp_path / "bad"
    folder.mkdir()
    text = (demo_dir / "reaction.csv").read_text().splitlines()
    line = next(i for i, t in enumerate(text) if i and ",4," in t)  # a rating of 4
    text[line] = text[line].replace(",4,", ",9,", 1)
    (folder / "reaction.csv").write_text("\n".join(text) + "\n")
    html = report.data_check(folder, banks=banks).html()
    assert f"row {line + 1}:" in html and "= &#x27;9&#x27;" in html
    assert "not there (skipped)" in html


def test_every_section_renders_when_parts_are_missing(tmp_path, banks):
    folder = tmp_path / "empty"
    folder.mkdir()
    html = report.build_report(open_data(folder, banks=banks)).to_html()
    assert "No knowledge test data was found" in html


@pytest.mark.browser
def test_peercare_report_is_one_page_that_fetches_nothing(tmp_path, chromium_path, capsys):
    """`peercare report` writes a page a program manager can open anywhere: no request leaves it
    (nbconvert's page asked a CDN for require.js and MathJax), charts inline, no axe violations."""
    from peercare.cli import main

    from ..browser import chromium, guarded_context, run_axe

    out = tmp_path / "report.html"
    assert main(["report", "-o", str(out)]) == 0
    assert "SYNTHETIC" in capsys.readouterr().out
    soup = BeautifulSoup(out.read_text(), "html.parser")
    linked = [t.get("src") or t.get("href") for t in soup.find_all(["script", "link", "img"])]
    assert all(u and u.startswith("data:") for u in linked if u), linked
    assert soup.find("img", src=lambda s: s and s.startswith("data:image/png")), "charts inline"
    with chromium(chromium_path) as browser:
        context = guarded_context(browser)
        page = context.new_page()
        page.goto(out.as_uri())
        assert "evaluation report" in page.title()
        assert run_axe(page) == []
        assert context.outside == []


def test_peercare_report_says_what_is_wrong_with_a_missing_folder(tmp_path, capsys):
    from peercare.cli import main

    assert (
        main(["report", "--data", str(tmp_path / "nowhere"), "-o", str(tmp_path / "r.html")]) == 2
    )
    assert "no such folder" in capsys.readouterr().err
    assert not (tmp_path / "r.html").exists()


SITE = "Up $x_$ Town \\notacommand"


def test_a_group_name_with_dollar_signs_draws_as_written(tmp_path, banks, demo_dir):
    """Matplotlib reads "$...$" as math: a site called "Up $x_$ Town" crashed the charts."""
    folder = tmp_path / "dollars"
    folder.mkdir()
    for name in ("knowledge", "reaction"):
        table = pd.read_csv(demo_dir / f"{name}.csv", dtype=str, keep_default_na=False)
        table["site"] = table["site"].where(table["site"] == "", SITE)
        table["cohort"] = "Spring $\\frac$ cohort"
        table.to_csv(folder / f"{name}.csv", index=False)
    data = open_data(folder, banks=banks)
    chart = plots.change_chart(prepost.knowledge_change(data.knowledge))
    assert chart.png.startswith(b"\x89PNG") and SITE in chart.alt
    html = report.build_report(data).to_html()
    assert SITE in html and html.count("<img") >= 2
