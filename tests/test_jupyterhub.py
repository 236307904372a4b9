"""deploy/jupyterhub/jupyterhub_config.py for real on 127.0.0.1: JupyterHub with
configurable-http-proxy from npm (deploy/jupyterhub/node_modules), its database and the
gradebook on the test run's PostgreSQL, NativeAuthenticator with a lead trainer's approval,
and nbgrader across users: the lead releases (``peercare cert``, unchanged), two candidates
fetch and submit in their own hub servers in Chromium, the lead collects and autogrades,
and Formgrader opens in its own tab for the lead trainer only."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from peercare.serving.serve import stop_process

from .browser import chromium, guarded_context, lab_ready
from .certification.helpers import make_course
from .conftest import ROOT
from .voila import free_port

HUB = ROOT / "deploy" / "jupyterhub"
PROXY = HUB / "node_modules" / ".bin" / "configurable-http-proxy"
LEAD, CANDIDATES = "lead", ("c01", "c02")
PASSWORD = "a long pass phrase 7"
KC = "knowledge-check"


def cert(env: dict, course: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "peercare.cli", "cert", "--course", str(course), *args],
        env=env, capture_output=True, text=True, timeout=600,
    )  # fmt: skip


@pytest.fixture(scope="module")
def hub(postgres, tmp_path_factory):
    if not PROXY.exists():
        pytest.fail(f"{PROXY} is missing: run `npm ci --prefix deploy/jupyterhub` "
                    "(make setup does)", pytrace=False)  # fmt: skip
    base = tmp_path_factory.mktemp("hub")
    course = make_course(base)
    (base / "exchange").mkdir()
    port = free_port()
    env = {
        **os.environ,
        "PEERCARE_COURSE": str(course),
        "PEERCARE_EXCHANGE": str(base / "exchange"),
        "PEERCARE_GRADEBOOK_URL": postgres.new_database(),
        "PEERCARE_HUB_DB_URL": postgres.new_database(),
        "PEERCARE_HUB_STATE": str(base / "state"),
        "PEERCARE_HUB_LEADS": LEAD,
        "PEERCARE_HUB_URL": f"http://127.0.0.1:{port}",
        "PEERCARE_HUB_API_URL": f"http://127.0.0.1:{free_port()}",
        "PEERCARE_HUB_PROXY_API": f"http://127.0.0.1:{free_port()}",
        "PEERCARE_HUB_FORMGRADER_PORT": str(free_port()),
        "PEERCARE_CELL_TIMEOUT": "10",
    }
    csv = base / "candidates.csv"
    csv.write_text("id,name\nc01,Test One\nc02,Test Two\n")
    for step in (("add-candidates", str(csv)), ("release",)):
        done = cert(env, course, *step)
        assert done.returncode == 0, done.stdout + done.stderr
    log = (base / "hub.log").open("w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "jupyterhub", "-f", str(HUB / "jupyterhub_config.py")],
        cwd=base, env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 180
        while True:
            try:
                if requests.get(f"{url}/hub/login", timeout=5).status_code == 200:
                    break
            except requests.RequestException:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail("the hub did not start:\n" + (base / "hub.log").read_text()[-4000:])
            time.sleep(1)
        yield url, env, course, base
    finally:
        proc.send_signal(signal.SIGTERM)
        stop_process(proc, grace=60)
        log.close()
        # a hub that stopped at start leaves its proxy running: stop it by its pid file
        pid_file = base / "state" / "jupyterhub-proxy.pid"
        if pid_file.exists():
            with contextlib.suppress(ProcessLookupError, ValueError):
                os.kill(int(pid_file.read_text().strip()), signal.SIGTERM)


def _signup(page, url: str, name: str) -> None:
    page.goto(f"{url}/hub/signup")
    page.locator("#username_input").fill(name)
    page.locator("#password_input").fill(PASSWORD)
    page.locator("#password_confirmation_input").fill(PASSWORD)
    page.locator("#signup_submit").click()
    page.wait_for_load_state()


def _login(page, url: str, name: str) -> None:
    page.goto(f"{url}/hub/login")
    page.locator("#username_input").fill(name)
    page.locator("#password_input").fill(PASSWORD)
    page.locator("#login_submit").click()
    page.wait_for_load_state()


def _assignments(page, url: str, name: str):
    page.goto(f"{url}/user/{name}/lab?reset", timeout=180_000)
    lab_ready(page, 180_000)
    page.locator(".lm-MenuBar-itemLabel", has_text="Nbgrader").click()
    menu = page.locator(".lm-Menu-content").first.inner_text()
    page.get_by_text("Assignment List", exact=True).click()
    return menu


@pytest.mark.browser
def test_lead_and_two_candidates_release_fetch_submit_collect_autograde(hub, chromium_path):
    url, env, course, base = hub
    with chromium(chromium_path) as browser:
        lead_ctx = guarded_context(browser)
        lead = lead_ctx.new_page()
        _signup(lead, url, LEAD)  # an admin: approved at once
        for name in CANDIDATES:
            ctx = guarded_context(browser)
            page = ctx.new_page()
            _signup(page, url, name)
            _login(page, url, name)  # not approved yet: refused
            assert "/hub/login" in page.url and f"/user/{name}" not in page.url
            ctx.close()
        _login(lead, url, LEAD)
        lead.goto(f"{url}/hub/authorize")
        for name in CANDIDATES:
            row = lead.locator("tr", has_text=name)
            row.get_by_role("button", name="Authorize", exact=True).click()
            lead.wait_for_load_state()
        # Formgrader in its own tab, for the lead trainer
        grader = lead_ctx.new_page()
        grader.goto(f"{url}/services/formgrader/formgrader", timeout=180_000)
        grader.get_by_text("Manage Assignments").first.wait_for(timeout=180_000)
        grader.locator("tbody tr", has_text=KC).first.wait_for(
            timeout=120_000
        )  # from the gradebook

        for name in CANDIDATES:
            ctx = guarded_context(browser)
            page = ctx.new_page()
            _login(page, url, name)
            menu = _assignments(page, url, name)
            assert "Formgrader" not in menu
            released = page.locator("#released_assignments_list .list_item", has_text=KC)
            released.get_by_role("button", name="Fetch").click(timeout=120_000)
            fetched = page.locator("#fetched_assignments_list .list_item", has_text=KC)
            fetched.first.wait_for(timeout=120_000)
            # nothing answered: the candidate's server asks first (peercare's Submit), then sends
            fetched.get_by_role("button", name="Submit").first.click()
            dialog = page.locator(".jp-Dialog")
            dialog.wait_for(timeout=120_000)
            assert "press Submit again" in dialog.inner_text()
            page.locator(".jp-Dialog .jp-mod-accept").first.click()
            dialog.wait_for(state="detached")
            fetched.get_by_role("button", name="Submit").first.click()
            page.locator("#submitted_assignments_list .list_item", has_text=KC).first.wait_for(
                timeout=120_000
            )
            # the candidate cannot open Formgrader
            denied = ctx.request.get(f"{url}/services/formgrader/formgrader", max_redirects=0)
            assert denied.status in (302, 403), denied.status
            after = ctx.request.get(f"{url}/services/formgrader/formgrader")
            assert "Manage Assignments" not in after.text()
            assert ctx.outside == [], ctx.outside
            ctx.close()
        lead_ctx.close()

    inbound = base / "exchange" / "helping-the-helpers" / "inbound"
    assert {p.name.split("+")[0] for p in inbound.iterdir()} == set(CANDIDATES)
    collected = cert(env, course, "collect")
    assert collected.returncode == 0, collected.stdout + collected.stderr
    graded = cert(env, course, "autograde", KC)
    assert graded.returncode == 0, graded.stdout + graded.stderr
    status = cert(env, course, "status")
    assert all(name in status.stdout for name in CANDIDATES), status.stdout
    for name in CANDIDATES:
        assert (course / "autograded" / name / KC).is_dir()
