"""``peercare deploy``: one rented Debian or Ubuntu server, for sessions on a video call.

What it sets up (README, "A session on a video call"):

- Caddy, Debian's package, in front: HTTPS with a certificate it gets and renews on its own
  (ACME), websockets passed through. The book is at ``/``; the apps are under ``/voila/``
  (Voila's own paths, so ``peercare serve --public-url https://DOMAIN`` builds the links).
- The kit as a systemd service under its own unprivileged user, its data folder closed to
  everyone else (0700), listening on 127.0.0.1 only.
- With ufw on: 80 and 443 (TCP) allowed; nothing else is opened. iptables is never touched.

:func:`plan` compares what the server has (:class:`Facts`, the files) with what the kit needs
and returns only the steps still to do: a second run has nothing to do. ``--dry-run`` prints
the steps (every file in full, every command) and does none of them.
"""

from __future__ import annotations

import os
import pwd
import re
import shlex
import shutil
import socket
import stat
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from ..paths import build_html_dir, project_root
from .serve import FACILITATOR_PAGE, PARTICIPANT_PAGE

MARK = "# Written by `peercare deploy`"
UNIT = "peercare.service"
UNIT_PATH = Path("/etc/systemd/system") / UNIT
CADDYFILE = Path("/etc/caddy/Caddyfile")
CADDYFILE_BACKUP = Path("/etc/caddy/Caddyfile.before-peercare")
ENV_FILE = Path("/etc/default/peercare")
# Kernels ask Voila for their page's address on this path, from 127.0.0.1 (peercare.apps.ui).
INSIDE_ONLY = "/voila/query/*"
APP_PATHS = ("/voila/*", "/api/kernels/*")
_LABEL = r"[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?"
_DOMAIN = re.compile(rf"(?=.{{4,253}}$)({_LABEL}\.)+(?=[a-z]){_LABEL}")
_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
_PLAIN_PATH = re.compile(r"/[A-Za-z0-9._/+-]*")


class DeployError(RuntimeError):
    """Cannot deploy; the message says why and what to do."""


@dataclass(frozen=True)
class Settings:
    """What to deploy. ``https_port``, ``http_port``, ``local_ca`` and ``admin`` exist for
    tests on loopback; a server keeps 443, 80, a public certificate and Caddy's admin
    endpoint on localhost:2019 (which ``systemctl reload caddy`` uses)."""

    domain: str
    root: Path
    python: str
    email: str | None = None
    book_port: int = 8000
    apps_port: int = 8866
    pool: int = 10
    user: str = "peercare"
    https_port: int = 443
    http_port: int = 80
    local_ca: bool = False
    admin: str | None = None

    @property
    def home(self) -> Path:
        return Path("/var/lib") / self.user

    @property
    def data(self) -> Path:
        return self.home / "data"

    @property
    def public_url(self) -> str:
        port = "" if self.https_port == 443 else f":{self.https_port}"
        return f"https://{self.domain}{port}"


def check_input(s: Settings) -> None:
    """Refuse input that would give a broken or unsafe service, with what to do instead."""
    if not s.domain:
        raise DeployError(
            "Give the address people will use: --domain training.example.org "
            "(a name whose DNS record points to this server)."
        )
    if not _DOMAIN.fullmatch(s.domain):
        raise DeployError(
            f"{s.domain!r} is not a domain name. Give the name alone, in lower case, like "
            "training.example.org (no https://, no path, not an IP address)."
        )
    if s.email is not None and not _EMAIL.fullmatch(s.email):
        raise DeployError(f"{s.email!r} is not an email address (--email you@example.org).")
    if not re.fullmatch(r"[a-z_][a-z0-9_-]{0,30}", s.user):
        raise DeployError(f"{s.user!r} cannot be a user name (lower-case letters, digits, -).")
    for path in (str(s.root), s.python):
        if not _PLAIN_PATH.fullmatch(path):
            raise DeployError(
                f"{path} has spaces or unusual characters, which a service file cannot hold "
                "safely. Put the kit in a plain folder such as /opt/peercare."
            )


def _closed(path: Path, bit: int) -> Path | None:
    """The first of ``path`` (needs ``bit`` for others) and its folders (need o+x) that
    other users cannot get through; None when they all can."""
    for p, need in ((path, bit), *((d, stat.S_IXOTH) for d in path.parents)):
        try:
            if not os.stat(p).st_mode & need:
                return p
        except PermissionError:  # a folder on the way (as this user) is closed
            return p
    return None


def server_problems(s: Settings, sysroot: Path = Path("/"), as_root: bool = True) -> list[str]:
    """What stops a real run here, each with what to do; empty when nothing does."""
    problems = []
    other = _debian(sysroot)
    if other:
        problems.append(
            f"This is {other}; peercare deploy works on Debian or Ubuntu. "
            "--dry-run shows the files it writes, to set the same up by hand."
        )
    if as_root and os.geteuid() != 0:
        problems.append(
            "Run it as root (sudo): it installs Caddy, a system user and a service. "
            "To see what it would do first, add --dry-run."
        )
    index = build_html_dir(s.root) / "index.html"
    if not index.is_file():
        problems.append(
            f"The book is not built yet in {s.root}. Run `make build` (or `peercare build`) "
            "there first."
        )
    elif closed := _closed(index, stat.S_IROTH):
        problems.append(
            f"The service's user ({s.user}) could not read the kit in {s.root} ({closed} is "
            "closed to other users). Put the kit in a folder others can read, such as "
            "/opt/peercare, and run `make build` and this command from there."
        )
    python = Path(s.python)
    closed = _closed(python, stat.S_IXOTH) or _closed(python.resolve(), stat.S_IXOTH)
    if closed:
        problems.append(
            f"The service's user ({s.user}) could not run {s.python} ({closed} is closed to "
            "other users). Make the kit's environment from a Python everyone can run: "
            "rm -rf .venv; make setup PYTHON=/usr/bin/python3"
        )
    else:
        env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
        done = subprocess.run([s.python, "-c", "import peercare"], capture_output=True, env=env)
        if done.returncode != 0:
            problems.append(
                f"{s.python} cannot load the kit on its own. Run `make setup` in the kit's "
                "folder, then .venv/bin/peercare deploy from there."
            )
    return problems


def caddyfile(s: Settings) -> str:
    """Caddy's configuration: HTTPS for ``s.domain``, the apps and the book behind it."""
    options = []
    if s.email:
        options.append(f"email {s.email}")
    if s.local_ca:
        options += ["local_certs", "skip_install_trust"]
    if s.https_port != 443:
        options.append(f"https_port {s.https_port}")
    if s.http_port != 80:
        options.append(f"http_port {s.http_port}")
    if s.admin:
        options.append(f"admin {s.admin}")
    options.append("# No access log; errors about single requests would name the reader's IP.")
    options.append("log default {\n\t\texclude http.log.error http.stdlib\n\t}")
    body = "\n\t".join(options)
    return f"""{MARK}; a new run rewrites it.
{{
\t{body}
}}

{s.domain} {{
\t# Kernels reach Voila here from 127.0.0.1 only; never from outside.
\t@inside path {INSIDE_ONLY}
\thandle @inside {{
\t\trespond 404
\t}}

\t# The live-session apps (Voila): pages, their files, each page's websocket.
\t# Caddy passes the Host header as it came ({s.domain}), which Voila checks the
\t# websocket's origin against. The reader's IP is not passed on.
\t@apps path {" ".join(APP_PATHS)}
\thandle @apps {{
\t\treverse_proxy 127.0.0.1:{s.apps_port} {{
\t\t\theader_up -X-Forwarded-For
\t\t}}
\t}}

\t# Everything else: the book.
\thandle {{
\t\treverse_proxy 127.0.0.1:{s.book_port} {{
\t\t\theader_up -X-Forwarded-For
\t\t}}
\t}}

\theader Strict-Transport-Security "max-age=31536000"
}}
"""


def serve_command(s: Settings) -> list[str]:
    return [
        s.python, "-m", "peercare.cli", "serve", "--book-port", str(s.book_port),
        "--apps-port", str(s.apps_port), "--pool", str(s.pool), "--public-url", s.public_url,
    ]  # fmt: skip


def unit_file(s: Settings) -> str:
    """The systemd service: ``peercare serve`` as ``s.user``, writing only in its home."""
    return f"""{MARK}; a new run rewrites it.
# Settings of your own (PEERCARE_DB_URL for PostgreSQL) go in {ENV_FILE}.
[Unit]
Description=Helping the Helpers training kit: the book and the live-session apps
After=network-online.target
Wants=network-online.target

[Service]
User={s.user}
Group={s.user}
WorkingDirectory={s.root}
Environment=HOME={s.home} PEERCARE_ROOT={s.root} PEERCARE_DATA_DIR={s.data}
EnvironmentFile=-{ENV_FILE}
ExecStart={shlex.join(serve_command(s))}
UMask=0077
# peercare serve stops Voila and its kernels in order on SIGTERM; the rest is killed
# only if that takes longer than TimeoutStopSec.
KillMode=mixed
TimeoutStopSec=30
Restart=on-failure
RestartSec=5
NoNewPrivileges=yes
PrivateTmp=yes
PrivateDevices=yes
ProtectSystem=strict
ProtectHome=read-only
ReadWritePaths={s.home}
ProtectKernelTunables=yes
ProtectKernelModules=yes
ProtectControlGroups=yes

[Install]
WantedBy=multi-user.target
"""


ENV_TEXT = f"""# Settings for the peercare service (read by {UNIT}); `peercare deploy` never
# overwrites this file. After a change: systemctl restart peercare
#
# The session store: SQLite in the data folder unless this is set.
# PEERCARE_DB_URL=postgresql+psycopg://peercare@localhost/peercare
"""


@dataclass(frozen=True)
class Facts:
    """What the server has now, apart from the files (which :func:`plan` reads)."""

    caddy_installed: bool
    user_exists: bool
    dirs_ok: bool  # home and data folder: owned by the user, 0700
    enabled: frozenset[str] = frozenset()
    active: frozenset[str] = frozenset()
    ufw: str | None = None  # None: no ufw; "": its state unreadable; else `ufw status`


@dataclass(frozen=True)
class Step:
    """One thing to do: say it, then write ``text`` to ``path`` and/or run ``command``."""

    says: str
    command: tuple[str, ...] = ()
    path: Path | None = None
    text: str = ""
    mode: int = 0o644


@dataclass
class Plan:
    """The steps still to do, and notes to print whatever is done."""

    steps: list[Step] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _read(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None


def _under(sysroot: Path, path: Path) -> Path:
    return sysroot / path.relative_to("/")


def _ufw_allows(status: str, port: int) -> bool:
    return bool(re.search(rf"^{port}(/tcp)?\s+ALLOW\b", status, re.MULTILINE))


def plan(s: Settings, facts: Facts, sysroot: Path = Path("/")) -> Plan:
    """The steps still to do, in order, and notes to print (the firewall's state)."""
    p = Plan()
    add = p.steps.append
    if not facts.caddy_installed:
        add(Step("Update the package lists", ("apt-get", "update")))
        add(Step("Install Caddy (Debian's package)", ("apt-get", "install", "-y", "caddy")))
    if not facts.user_exists:
        add(
            Step(
                f"Create the system user {s.user} (no password, no login shell)",
                ("useradd", "--system", "--user-group", "--home-dir", str(s.home),
                 "--no-create-home", "--shell", "/usr/sbin/nologin", s.user),
            )
        )  # fmt: skip
    if not facts.dirs_ok:
        for folder in (s.home, s.data):
            add(
                Step(
                    f"Make {folder}, open to {s.user} only (0700)",
                    ("install", "-d", "-m", "0700", "-o", s.user, "-g", s.user, str(folder)),
                )
            )
    if _read(_under(sysroot, ENV_FILE)) is None:
        add(Step("Write a settings file for the service", path=ENV_FILE, text=ENV_TEXT, mode=0o600))
    unit_changed = _read(_under(sysroot, UNIT_PATH)) != unit_file(s)
    if unit_changed:
        add(Step("Write the kit's service", path=UNIT_PATH, text=unit_file(s)))
    old = _read(_under(sysroot, CADDYFILE))
    caddy_changed = old != caddyfile(s)
    if caddy_changed:
        if old and not old.startswith(MARK) and _read(_under(sysroot, CADDYFILE_BACKUP)) is None:
            add(Step("Keep Caddy's old configuration", path=CADDYFILE_BACKUP, text=old))
        add(Step("Write Caddy's configuration", path=CADDYFILE, text=caddyfile(s)))
    _services(s, facts, p, unit_changed, caddy_changed)
    _firewall(facts, p)
    return p


def _services(s: Settings, facts: Facts, p: Plan, unit_changed: bool, caddy_changed: bool):
    add = p.steps.append
    if unit_changed:
        add(Step("Tell systemd about the service", ("systemctl", "daemon-reload")))
    if UNIT not in facts.enabled:
        add(Step("Start the kit when the server starts", ("systemctl", "enable", UNIT)))
    if unit_changed or UNIT not in facts.active:
        add(Step("Start the kit (again)", ("systemctl", "restart", UNIT)))
    caddy = "caddy.service"
    if caddy not in facts.enabled:
        add(Step("Start Caddy when the server starts", ("systemctl", "enable", caddy)))
    if not facts.caddy_installed or caddy not in facts.active:
        add(Step("Start Caddy", ("systemctl", "restart", caddy)))
    elif caddy_changed:
        add(Step("Caddy reads its new configuration", ("systemctl", "reload", caddy)))


def _firewall(facts: Facts, p: Plan) -> None:
    local = "The kit's own ports listen on 127.0.0.1 only; they are never opened."
    if facts.ufw is None:
        p.notes.append(
            "No firewall changed: ufw is not installed (and iptables is never touched). "
            "If your server's provider has a firewall, allow TCP ports 80 and 443 there. " + local
        )
    elif not facts.ufw:
        p.notes.append(
            "ufw is installed; its state can be read only as root. A real run allows TCP "
            "ports 80 and 443 if it is on, and leaves it off if it is off. " + local
        )
    elif not re.search(r"^Status: active", facts.ufw, re.MULTILINE):
        p.notes.append(
            "ufw is installed but off, and stays off: turning it on without a rule for SSH "
            "would lock you out. To turn it on: ufw allow OpenSSH; ufw allow 80/tcp; "
            "ufw allow 443/tcp; ufw enable. " + local
        )
    else:
        for port, why in ((80, "the certificate's check and the move to HTTPS"), (443, "HTTPS")):
            if not _ufw_allows(facts.ufw, port):
                p.steps.append(Step(f"Allow port {port} ({why})", ("ufw", "allow", f"{port}/tcp")))
        p.notes.append("ufw allows 80 and 443 (TCP). " + local)


def _run_quiet(command: list[str]) -> subprocess.CompletedProcess | None:
    try:
        return subprocess.run(command, capture_output=True, text=True, check=False)
    except OSError:
        return None


def gather_facts(s: Settings) -> Facts:
    """Ask the server (read only: dpkg, passwd, stat, systemctl, ufw)."""
    query = _run_quiet(["dpkg-query", "-W", "-f=${Status}", "caddy"])
    try:
        pwd.getpwnam(s.user)
        user_exists = True
    except KeyError:
        user_exists = False
    dirs_ok = user_exists
    for folder in (s.home, s.data):
        try:
            st = folder.stat()
        except OSError:
            dirs_ok = False
            continue
        owner = pwd.getpwuid(st.st_uid).pw_name if user_exists else None
        dirs_ok &= stat.S_ISDIR(st.st_mode) and st.st_mode & 0o777 == 0o700 and owner == s.user
    units = (UNIT, "caddy.service")

    def ok(*args: str) -> bool:
        done = _run_quiet(["systemctl", *args])
        return done is not None and done.returncode == 0

    ufw = None
    if shutil.which("ufw"):
        done = _run_quiet(["ufw", "status"])
        ufw = done.stdout if done and done.returncode == 0 else ""
    return Facts(
        caddy_installed=bool(query and "install ok installed" in query.stdout),
        user_exists=user_exists,
        dirs_ok=dirs_ok,
        enabled=frozenset(u for u in units if ok("is-enabled", "--quiet", u)),
        active=frozenset(u for u in units if ok("is-active", "--quiet", u)),
        ufw=ufw,
    )


def describe(p: Plan) -> str:
    """Every step in full: commands as a shell would take them, files with their text."""
    lines = []
    for n, step in enumerate(p.steps, 1):
        lines.append(f"{n}. {step.says}")
        if step.command:
            lines.append(f"   $ {shlex.join(step.command)}")
        if step.path:
            lines.append(f"   write {step.path} (mode {step.mode:04o}):")
            lines += [f"   | {line}".rstrip() for line in step.text.splitlines()]
    return "\n".join(lines)


def addresses(s: Settings) -> str:
    url = s.public_url
    return (
        f"Book:          {url}/\n"
        f"Facilitator:   {url}/voila/render/{FACILITATOR_PAGE}\n"
        f"Participants:  {url}/voila/render/{PARTICIPANT_PAGE}   <- the address to share"
    )


def _debian(sysroot: Path) -> str | None:
    """None on Debian or Ubuntu (or a system derived from them); else what the system is."""
    text = _read(sysroot / "etc" / "os-release") or ""
    fields = dict(re.findall(r'^([A-Z_]+)="?([^"\n]*)"?$', text, re.MULTILINE))
    names = {fields.get("ID", ""), *fields.get("ID_LIKE", "").split()}
    return None if names & {"debian", "ubuntu"} else fields.get("PRETTY_NAME", "an unknown system")


def apply(p: Plan, sysroot: Path = Path("/")) -> None:
    """Carry out the steps; files are written whole (to a new file, then renamed)."""
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for n, step in enumerate(p.steps, 1):
        print(f"{n}/{len(p.steps)} {step.says}", flush=True)
        if step.path:
            path = _under(sysroot, step.path)
            path.parent.mkdir(parents=True, exist_ok=True)
            part = path.with_name(path.name + ".new")
            part.write_text(step.text, encoding="utf-8")
            part.chmod(step.mode)
            part.replace(path)
        if step.command:
            done = subprocess.run(step.command, capture_output=True, text=True, env=env)
            if done.returncode != 0:
                said = (done.stderr or done.stdout).strip().splitlines()[-5:]
                raise DeployError(
                    f"`{shlex.join(step.command)}` failed (exit code {done.returncode}):\n"
                    + "\n".join(said)
                    + "\nFix that and run `peercare deploy` again: it picks up where it stopped."
                )


def deploy(s: Settings, dry_run: bool = False, sysroot: Path = Path("/")) -> int:
    """Check, plan, then print the plan (``dry_run``) or carry it out. ``sysroot``: where
    /etc/os-release is read (tests)."""
    check_input(s)
    problems = server_problems(s, sysroot, as_root=not dry_run)
    if problems and not dry_run:
        raise DeployError("\n".join(problems) + "\nNothing was changed.")
    p = plan(s, gather_facts(s))
    if dry_run:
        print("Dry run: nothing is changed.")
        if problems:
            print("A real run would stop first, because:")
            print("\n".join(f"- {problem}" for problem in problems))
        print("A real run (as root) would do this:\n")
        print(describe(p) if p.steps else "Nothing: everything is in place.")
    else:
        _warn_dns(s.domain)
        if p.steps:
            apply(p)
        else:
            print("Nothing to change: everything is in place.")
    for note in p.notes:
        print(f"\n{note}")
    print(f"\n{'When it runs' if dry_run else 'Running'}:\n{addresses(s)}")
    print(
        f"\nCheck on it: systemctl status peercare caddy; the apps' log: {s.data}/voila.log. "
        "Caddy gets the certificate once the domain's DNS points here (a minute or two)."
    )
    return 0


def _warn_dns(domain: str) -> None:
    try:
        socket.getaddrinfo(domain, 443)
    except OSError:
        print(
            f"Note: {domain} does not resolve yet. Point its DNS (an A record) at this "
            "server's address; Caddy gets the certificate as soon as it does.",
            flush=True,
        )


def settings_from_args(args) -> Settings:
    return Settings(
        domain=(args.domain or "").strip().lower(),
        root=project_root(),
        python=sys.executable,
        email=args.email,
        book_port=args.book_port,
        apps_port=args.apps_port,
        pool=args.pool,
        user=args.user,
    )
