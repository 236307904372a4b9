"""peercare deploy: the files and commands it plans (as text: systemd does not run in a
container), its refusals, and, for real on loopback, Caddy with its own certificate authority
in front of `peercare serve`: Chromium joins a session over HTTPS and answers a check-in."""

from __future__ import annotations

import csv
import http.client
import http.server
import io
import json
import os
import re
import shlex
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

import pytest

from peercare.serving.deploy import (
    CADDYFILE,
    CADDYFILE_BACKUP,
    ENV_FILE,
    UNIT_PATH,
    DeployError,
    Facts,
    Plan,
    Settings,
    _debian,
    apply,
    caddyfile,
    deploy,
    plan,
    server_problems,
    unit_file,
)
from peercare.serving.serve import stop_process

from .browser import LOCAL, chromium, guarded_context
from .conftest import ROOT
from .voila import free_port

PEERCARE = [sys.executable, "-m", "peercare.cli"]
DOMAIN = "training.example.org"
FRESH = Facts(caddy_installed=False, user_exists=False, dirs_ok=False)
DONE = Facts(
    caddy_installed=True,
    user_exists=True,
    dirs_ok=True,
    enabled=frozenset({"peercare.service", "caddy.service"}),
    active=frozenset({"peercare.service", "caddy.service"}),
)
UFW_OPEN = """Status: active

To                         Action      From
--                         ------      ----
22/tcp                     ALLOW       Anywhere
80/tcp                     ALLOW       Anywhere
443/tcp                    ALLOW       Anywhere
22/tcp (v6)                ALLOW       Anywhere (v6)
"""
DEBIAN_CADDYFILE = ":80 {\n\troot * /usr/share/caddy\n\tfile_server\n}\n"


@pytest.fixture
def kit():
    """A kit folder others can read (pytest's own tmp folders are closed), book 'built'."""
    folder = Path(tempfile.mkdtemp(prefix="peercare-kit-"))
    folder.chmod(0o755)
    (folder / "_toc.yml").write_text("format: jb-book\nroot: book/a/index\n")
    (folder / "_build" / "html").mkdir(parents=True)
    (folder / "_build" / "html" / "index.html").write_text("<p>book</p>")
    yield folder
    shutil.rmtree(folder)


def _settings(kit: Path, **kw) -> Settings:
    return Settings(**{"domain": DOMAIN, "root": kit, "python": sys.executable, **kw})


def _commands(p: Plan) -> list[str]:
    return [shlex.join(s.command) for s in p.steps if s.command]


def _files(p: Plan) -> list[Path]:
    return [s.path for s in p.steps if s.path]


# --- the files, as text ------------------------------------------------------------------


def test_unit_runs_serve_as_the_unprivileged_user_with_the_public_url(kit):
    text = unit_file(_settings(kit, book_port=8001, apps_port=8867, pool=4))
    lines = dict(line.split("=", 1) for line in text.splitlines() if "=" in line and line[0] != "#")
    assert lines["User"] == lines["Group"] == "peercare"
    assert lines["ExecStart"].split() == [
        sys.executable, "-m", "peercare.cli", "serve", "--book-port", "8001",
        "--apps-port", "8867", "--pool", "4", "--public-url", f"https://{DOMAIN}",
    ]  # fmt: skip
    env = dict(pair.split("=", 1) for pair in lines["Environment"].split())
    assert env == {
        "HOME": "/var/lib/peercare",
        "PEERCARE_ROOT": str(kit),
        "PEERCARE_DATA_DIR": "/var/lib/peercare/data",
    }
    # writes only in its own home; files it makes are its own (0600); stops in order
    assert lines["ProtectSystem"] == "strict" and lines["ReadWritePaths"] == "/var/lib/peercare"
    assert lines["UMask"] == "0077" and lines["KillMode"] == "mixed"
    assert lines["NoNewPrivileges"] == "yes" and lines["WantedBy"] == "multi-user.target"
    assert lines["EnvironmentFile"] == f"-{ENV_FILE}"


def test_caddyfile_production_defaults_and_the_loopback_options(kit):
    prod = caddyfile(_settings(kit, email="ops@example.org"))
    assert f"\n{DOMAIN} {{\n" in prod and "email ops@example.org" in prod
    # 443 + a public certificate (ACME): no port, no local CA, Caddy's admin left as is
    for test_only in ("local_certs", "https_port", "http_port", "admin", "tls internal"):
        assert test_only not in prod
    assert "reverse_proxy 127.0.0.1:8866" in prod and "reverse_proxy 127.0.0.1:8000" in prod
    assert "@apps path /voila/* /api/kernels/*" in prod
    assert "log {" not in prod.split(DOMAIN)[-1]  # no access log
    test = caddyfile(_settings(kit, https_port=9443, http_port=9080, local_ca=True, admin="off"))
    for line in ("local_certs", "skip_install_trust", "https_port 9443", "http_port 9080"):
        assert f"\t{line}\n" in test
    assert _settings(kit, https_port=9443).public_url == f"https://{DOMAIN}:9443"


def test_caddy_itself_accepts_the_caddyfile(kit, tmp_path, caddy):
    path = tmp_path / "Caddyfile"
    path.write_text(caddyfile(_settings(kit, email="ops@example.org")))
    done = subprocess.run(
        [caddy, "validate", "--config", str(path), "--adapter", "caddyfile"],
        capture_output=True, text=True, env=_caddy_env(tmp_path),
    )  # fmt: skip
    assert done.returncode == 0 and "Valid configuration" in done.stdout + done.stderr, done.stderr
    assert '"level":"warn"' not in done.stderr, done.stderr


# --- the plan: everything on a fresh server, nothing on a second run ----------------------


def test_a_fresh_server_gets_every_step_in_order(kit, tmp_path):
    s = _settings(kit)
    p = plan(s, FRESH, sysroot=tmp_path)
    assert _commands(p) == [
        "apt-get update",
        "apt-get install -y caddy",
        "useradd --system --user-group --home-dir /var/lib/peercare --no-create-home "
        "--shell /usr/sbin/nologin peercare",
        "install -d -m 0700 -o peercare -g peercare /var/lib/peercare",
        "install -d -m 0700 -o peercare -g peercare /var/lib/peercare/data",
        "systemctl daemon-reload",
        "systemctl enable peercare.service",
        "systemctl restart peercare.service",
        "systemctl enable caddy.service",
        "systemctl restart caddy.service",
    ]
    assert _files(p) == [ENV_FILE, UNIT_PATH, CADDYFILE]
    assert next(x for x in p.steps if x.path == ENV_FILE).mode == 0o600
    assert "ufw is not installed" in p.notes[0] and "iptables is never touched" in p.notes[0]


def test_a_second_run_changes_nothing_and_a_new_domain_changes_only_what_it_must(kit, tmp_path):
    (tmp_path / "etc" / "caddy").mkdir(parents=True)
    (tmp_path / "etc" / "caddy" / "Caddyfile").write_text(DEBIAN_CADDYFILE)
    s = _settings(kit)
    first = plan(s, replace(FRESH, ufw=UFW_OPEN), sysroot=tmp_path)
    assert _files(first) == [ENV_FILE, UNIT_PATH, CADDYFILE_BACKUP, CADDYFILE]
    apply(Plan([x for x in first.steps if x.path]), sysroot=tmp_path)  # files only
    etc = tmp_path / "etc"
    assert (etc / "caddy" / "Caddyfile.before-peercare").read_text() == DEBIAN_CADDYFILE
    assert (etc / "caddy" / "Caddyfile").read_text() == caddyfile(s)
    assert (etc / "default" / "peercare").stat().st_mode & 0o777 == 0o600

    again = plan(s, replace(DONE, ufw=UFW_OPEN), sysroot=tmp_path)
    assert again.steps == [] and again.notes == [
        "ufw allows 80 and 443 (TCP). The kit's own ports listen on 127.0.0.1 only; "
        "they are never opened."
    ]

    (etc / "default" / "peercare").write_text("PEERCARE_DB_URL=postgresql+psycopg://x@y/z\n")
    moved = plan(replace(s, domain="learn.example.org"), DONE, sysroot=tmp_path)
    assert _files(moved) == [UNIT_PATH, CADDYFILE]  # settings and backup are kept
    assert _commands(moved) == [
        "systemctl daemon-reload",
        "systemctl restart peercare.service",
        "systemctl reload caddy.service",
    ]


@pytest.mark.parametrize(
    ("status", "commands", "note"),
    [
        (None, [], "ufw is not installed"),
        ("", [], "its state can be read only as root"),
        ("Status: inactive\n", [], "ufw is installed but off, and stays off"),
        (
            "Status: active\n\nTo Action From\n22/tcp ALLOW Anywhere\n443 ALLOW Anywhere\n",
            ["ufw allow 80/tcp"],
            "ufw allows 80 and 443",
        ),
        (UFW_OPEN.replace("80/tcp", "8080/tcp"), ["ufw allow 80/tcp"], "ufw allows"),
        ("Status: active\n", ["ufw allow 80/tcp", "ufw allow 443/tcp"], "ufw allows"),
    ],
)
def test_the_firewall_opens_only_80_and_443_and_only_when_ufw_is_on(kit, status, commands, note):
    p = plan(_settings(kit), replace(DONE, ufw=status), sysroot=Path(tempfile.mkdtemp()))
    assert [c for c in _commands(p) if c.startswith("ufw")] == commands
    assert note in p.notes[0]
    assert not any("iptables" in c or "ufw enable" in c for c in _commands(p))


# --- through the command: dry run, refusals ----------------------------------------------


def _state() -> dict:
    paths = (UNIT_PATH, CADDYFILE, CADDYFILE_BACKUP, ENV_FILE, Path("/var/lib/peercare"))
    state = {p: (p.read_bytes() if p.is_file() else p.exists()) for p in paths}
    state["user"] = subprocess.run(["getent", "passwd", "peercare"], capture_output=True).stdout
    return state


def test_dry_run_prints_every_file_and_command_and_changes_nothing(kit):
    before = _state()
    done = subprocess.run(
        [*PEERCARE, "deploy", "--domain", DOMAIN, "--email", "ops@example.org", "--dry-run"],
        cwd=kit, capture_output=True, text=True,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert out.startswith("Dry run: nothing is changed.")
    s = _settings(kit, email="ops@example.org")
    written = {}  # each file's text as printed: its lines after "| "
    for path, body in re.findall(r"write (\S+) \(mode \d+\):\n((?:   \|.*\n)+)", out):
        written[path] = "".join(line[5:] + "\n" for line in body.splitlines())
    if str(CADDYFILE) in written:  # this machine may have had it already: then not printed
        assert written[str(CADDYFILE)] == caddyfile(s)
    if str(UNIT_PATH) in written:
        assert written[str(UNIT_PATH)] == unit_file(s)
    assert written, out
    for command in re.findall(r"^   \$ (.*)$", out, re.MULTILINE):
        assert shlex.split(command)[0] in {"apt-get", "useradd", "install", "systemctl", "ufw"}
    assert (
        f"Participants:  https://{DOMAIN}/voila/render/participant.ipynb   <- the address to share"
        in out
    )
    assert _state() == before


def _refusal(args: list[str], cwd: Path) -> str:
    done = subprocess.run([*PEERCARE, "deploy", *args], cwd=cwd, capture_output=True, text=True)
    assert done.returncode == 2 and "Traceback" not in done.stderr, done.stderr
    assert done.stdout == ""
    return done.stderr


@pytest.mark.parametrize(
    ("args", "said"),
    [
        ([], "Give the address people will use: --domain"),
        (["--domain", f"https://{DOMAIN}/"], "is not a domain name"),
        (["--domain", "203.0.113.7"], "is not a domain name"),
        (["--domain", "training example.org"], "is not a domain name"),
        (["--domain", DOMAIN, "--email", "ops at example.org"], "is not an email address"),
    ],
)
def test_bad_input_is_refused_with_what_to_do(kit, args, said):
    assert said in _refusal([*args, "--dry-run"], kit)


def test_not_root_is_refused_and_pointed_to_dry_run(kit):
    """As root, the test drops to nobody's effective uid for the call (and back)."""
    as_root = os.geteuid() == 0
    if as_root:
        os.seteuid(65534)
    try:
        with pytest.raises(DeployError, match=r"Run it as root \(sudo\).*--dry-run") as said:
            deploy(_settings(kit))
    finally:
        if as_root:
            os.seteuid(0)
    assert str(said.value).endswith("Nothing was changed.")


def test_not_debian_is_refused(kit, tmp_path):
    (tmp_path / "etc").mkdir()
    (tmp_path / "etc" / "os-release").write_text('ID=fedora\nPRETTY_NAME="Fedora Linux 40"\n')
    with pytest.raises(DeployError, match="This is Fedora Linux 40; .* Debian or Ubuntu"):
        deploy(_settings(kit), sysroot=tmp_path)
    (tmp_path / "etc" / "os-release").write_text('ID=linuxmint\nID_LIKE="ubuntu debian"\n')
    assert _debian(tmp_path) is None
    assert _debian(Path("/")) is None  # this machine is Debian


def _would_stop(kit: Path) -> str:
    done = subprocess.run([*PEERCARE, "deploy", "--domain", DOMAIN, "--dry-run"],
                          cwd=kit, capture_output=True, text=True)  # fmt: skip
    assert done.returncode == 0 and "A real run would stop first, because:" in done.stdout
    return done.stdout


def test_a_kit_others_cannot_read_is_named(kit):
    kit.chmod(0o700)
    said = _would_stop(kit)
    assert f"could not read the kit in {kit} ({kit} is closed" in said and "/opt/peercare" in said


def test_an_unbuilt_book_is_named(kit):
    shutil.rmtree(kit / "_build")
    assert f"The book is not built yet in {kit}" in _would_stop(kit)


def test_a_python_others_cannot_run_is_named(kit, tmp_path):
    python = tmp_path / "venv" / "bin" / "python"  # pytest's tmp folders are 0700
    python.parent.mkdir(parents=True)
    python.symlink_to(sys.executable)
    problems = "\n".join(server_problems(_settings(kit, python=str(python))))
    closed = re.search(rf"could not run {re.escape(str(python))} \((\S+) is closed", problems)
    assert closed and Path(closed.group(1)) in (tmp_path, *tmp_path.parents), problems
    assert not any("could not run" in p for p in server_problems(_settings(kit, python="/bin/sh")))


def test_install_script_dry_run_says_what_it_would_build_then_hands_over(tmp_path):
    done = subprocess.run(
        [str(ROOT / "deploy" / "install.sh"), "--dry-run", "--domain", DOMAIN],
        capture_output=True, text=True, env={**os.environ, "HOME": str(tmp_path)},
    )  # fmt: skip
    assert done.returncode == 0 and done.stderr == "", done.stderr
    assert "would run: make build PYTHON=/usr/bin/python3" in done.stdout
    # with the kit's .venv made, `peercare deploy --dry-run` goes on from there
    assert ("Dry run: nothing is changed." in done.stdout) == (ROOT / ".venv").is_dir()
    assert not (ROOT / ".venv").is_dir() or f"https://{DOMAIN}/voila/render/" in done.stdout


# --- for real on loopback: Caddy's own CA, the kit behind it, Chromium in front ----------

NAME = "training.localhost"


@pytest.fixture(scope="session")
def caddy() -> str:
    path = shutil.which("caddy")
    if not path and os.geteuid() == 0:
        subprocess.run(["apt-get", "install", "-y", "-qq", "caddy"], check=True,
                       env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})  # fmt: skip
        path = shutil.which("caddy")
    if not path:
        pytest.fail("Debian's caddy is not installed (apt-get install caddy); .ci/run installs it")
    return path


def _caddy_env(home: Path) -> dict:
    """Caddy keeps its certificates and CA under these: a throwaway folder, not ~/."""
    return {**os.environ, "HOME": str(home), "XDG_DATA_HOME": str(home / "data"),
            "XDG_CONFIG_HOME": str(home / "config")}  # fmt: skip


class _Loopback(http.client.HTTPSConnection):
    """HTTPS to 127.0.0.1, with the server name (SNI, Host, certificate check) of ``host``."""

    def connect(self) -> None:
        sock = socket.create_connection(("127.0.0.1", self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


def _get(
    port: int, path: str, ca: Path, name: str = NAME, headers: dict | None = None
) -> http.client.HTTPResponse:
    conn = _Loopback(name, port, timeout=30, context=ssl.create_default_context(cafile=ca))
    conn.request("GET", path, headers=headers or {})
    response = conn.getresponse()
    response.text = response.read().decode("utf-8", "replace")  # type: ignore[attr-defined]
    conn.close()
    return response


def _started(proc: subprocess.Popen, until: str) -> str:
    lines = []
    while not any(until in x for x in lines):
        line = proc.stdout.readline()
        assert line, "".join(lines) + proc.stderr.read()[-2000:]
        lines.append(line)
    return "".join(lines)


def _loopback(**kw) -> Settings:
    """The generated configuration, for loopback: free high ports, Caddy's own CA."""
    return Settings(
        domain=NAME, root=ROOT, python=sys.executable, https_port=free_port(),
        http_port=free_port(), local_ca=True, admin="off", **kw,
    )  # fmt: skip


@contextmanager
def _caddy_running(caddy: str, s: Settings, home: Path):
    """Caddy with ``caddyfile(s)`` until the block ends; yields its CA's root certificate."""
    (home / "Caddyfile").write_text(caddyfile(s))
    log_path = home / "caddy.log"
    with log_path.open("w") as log:
        proxy = subprocess.Popen(
            [caddy, "run", "--config", str(home / "Caddyfile"), "--adapter", "caddyfile"],
            env=_caddy_env(home), stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        try:
            ca = home / "data" / "caddy" / "pki" / "authorities" / "local" / "root.crt"
            deadline = time.monotonic() + 60
            while True:  # Caddy makes its CA, then the site's certificate
                try:
                    _get(s.https_port, "/", ca)
                    break
                except (OSError, ssl.SSLError):
                    assert proxy.poll() is None, log_path.read_text()[-2000:]
                    assert time.monotonic() < deadline, log_path.read_text()[-2000:]
                    time.sleep(0.3)
            yield ca
        finally:
            stop_process(proxy)


class _Echo(http.server.BaseHTTPRequestHandler):
    """Answers with which upstream it is, the path and the headers it got."""

    def do_GET(self) -> None:
        seen = {"server": self.server.name, "path": self.path, "headers": dict(self.headers)}
        body = json.dumps(seen).encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format, *args) -> None:
        pass


def test_caddy_routes_apps_and_book_passes_the_public_host_and_not_the_ip(caddy, tmp_path):
    echo = {}
    for name in ("book", "apps"):
        echo[name] = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Echo)
        echo[name].name = name
        threading.Thread(target=echo[name].serve_forever, daemon=True).start()
    s = _loopback(book_port=echo["book"].server_port, apps_port=echo["apps"].server_port)
    try:
        with _caddy_running(caddy, s, tmp_path) as ca:
            for path, upstream in [
                ("/", "book"),
                ("/book/welcome/index.html", "book"),
                ("/voila/render/participant.ipynb?code=AB12", "apps"),
                ("/voila/static/voila.js", "apps"),
                ("/api/kernels/0123/channels?session_id=x", "apps"),
                ("/api/contents/", "book"),  # Jupyter's other APIs never reach Voila
                ("/voilax", "book"),
            ]:
                seen = json.loads(_get(s.https_port, path, ca).text)
                assert (seen["server"], seen["path"]) == (upstream, path)
                assert seen["headers"]["Host"] == f"{NAME}:{s.https_port}"
                assert "X-Forwarded-For" not in seen["headers"]
            inside = _get(s.https_port, "/voila/query/0123", ca)
            assert inside.status == 404 and "server" not in inside.text
            # another name in the Host header, on the right TLS connection: not passed on
            other = _get(s.https_port, "/voila/render/x", ca, headers={"Host": "evil.example"})
            assert '"server"' not in other.text
    finally:
        for server in echo.values():
            server.shutdown()
            server.server_close()


@pytest.fixture
def behind_caddy(built_book, caddy, tmp_path):
    """`peercare serve` on free ports and Caddy in front, both stopped after. Yields the
    settings, Caddy's root certificate and serve's output."""
    s = _loopback(book_port=free_port(), apps_port=free_port())
    kit = subprocess.Popen(
        [*PEERCARE, "serve", "--book-port", str(s.book_port), "--apps-port", str(s.apps_port),
         "--pool", "1", "--public-url", s.public_url],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        start_new_session=True,
    )  # fmt: skip
    try:
        out = _started(kit, "Press Ctrl-C")
        with _caddy_running(caddy, s, tmp_path) as ca:
            yield s, ca, out
    finally:
        if kit.poll() is None:
            os.killpg(kit.pid, signal.SIGINT)
        kit.communicate(timeout=60)


@pytest.mark.browser
def test_a_participant_joins_and_answers_over_https_through_caddy(behind_caddy, chromium_path):
    s, ca, out = behind_caddy
    https, http_, public = s.https_port, s.http_port, s.public_url
    assert f"Participants: {public}/voila/render/participant.ipynb" in out

    # TLS from Caddy's own CA for the public name only; the book and the apps behind it
    book = _get(https, "/book/welcome/index.html", ca)
    assert book.status == 200 and "Need help now?" in book.text
    assert book.getheader("Strict-Transport-Security") == "max-age=31536000"
    app = _get(https, "/voila/render/self_check.ipynb", ca)
    assert app.status == 200 and "Self-check practice" in app.text
    with pytest.raises(ssl.SSLError):
        _get(https, "/", ca, name="other.localhost")
    plain = http.client.HTTPConnection("127.0.0.1", http_, timeout=30)
    plain.request("GET", "/book/", headers={"Host": NAME})
    moved = plain.getresponse()
    assert moved.status == 308 and moved.getheader("Location").startswith(f"https://{NAME}")
    plain.close()

    made = subprocess.run([*PEERCARE, "session", "create", "--title", "Video call"],
                          cwd=ROOT, capture_output=True, text=True, check=True).stdout  # fmt: skip
    code = re.search(r"Join code:\s+(\S+)", made).group(1)
    key = re.search(r"Facilitator key:\s+(\S+)", made).group(1)

    rules = f"--host-resolver-rules=MAP {NAME} 127.0.0.1"
    with chromium(chromium_path, [rules]) as browser:
        ctx = guarded_context(browser, local=LOCAL | {NAME}, ignore_https_errors=True)
        page = ctx.new_page()
        sockets = []
        page.on("websocket", lambda ws: sockets.append(ws.url))
        page.goto(f"{public}/voila/render/participant.ipynb?code={code}")
        page.get_by_label("Session code").fill(code)
        page.get_by_role("button", name="Join").click()
        page.get_by_text("You joined").wait_for(timeout=60_000)
        page.get_by_role("radio", name="2 · Heavy").check()
        page.get_by_role("button", name="Send my check-in").click()
        page.get_by_text("Received. Thank you for checking in.").wait_for(timeout=30_000)
        assert any(u.startswith(f"wss://{NAME}:{https}/api/kernels/") for u in sockets), sockets
        page.goto(f"{public}/book/welcome/index.html")
        page.get_by_text("Need help now?").first.wait_for()
        assert ctx.outside == [], ctx.outside
        ctx.close()

    exported = subprocess.run([*PEERCARE, "session", "export", code, "--key", key],
                              cwd=ROOT, capture_output=True, text=True, check=True).stdout  # fmt: skip
    rows = list(csv.DictReader(io.StringIO(exported)))
    assert {r["app"] for r in rows} == {"checkin"} and {r["session"] for r in rows} == {code}
    assert "2" in {r["response"] for r in rows}, exported  # "2 · Heavy", sent over wss
