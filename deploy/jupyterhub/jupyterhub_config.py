"""JupyterHub for a community organization running Helping the Helpers.

Who is who (hub user names):

- **Lead trainers** (``PEERCARE_HUB_LEADS``, comma-separated): hub admins. They approve new
  sign-ups (NativeAuthenticator's "Authorize users" page), open the Formgrader service in its
  own tab (``/services/formgrader/``), and get their own JupyterLab in the course folder.
- **Trainers** (``PEERCARE_HUB_TRAINERS``): their own JupyterLab with the kit's notebooks
  (the live-session apps, the evaluation notebooks); no grading.
- **Candidates**: the ids on the course's candidate list (``peercare cert add-candidates``);
  a candidate signs up with their candidate id as user name. Their server is the one
  ``peercare cert lab --candidate ID`` starts: their own folder, the Assignments tab,
  fetch and submit under their id into the one shared exchange, no Formgrader.

Anyone else who signs up and is approved can log in but gets no server until a lead trainer
gives them a role (a clear message, not an error page).

Settings (environment variables, e.g. in the systemd unit or ``/etc/default/peercare-hub``):

- ``PEERCARE_ROOT``: the kit's folder (default: two folders up from this file);
  ``PEERCARE_COURSE``: the course folder (default ``grading/`` in the kit).
- ``PEERCARE_HUB_DB_URL``: the hub's own database, e.g.
  ``postgresql+psycopg://hub@127.0.0.1/jupyterhub`` (default: SQLite in the state folder).
- ``PEERCARE_HUB_STATE``: the hub's own files: cookie secret, users' folders
  (default ``/var/lib/peercare-hub``).
- ``PEERCARE_HUB_URL`` (``http://127.0.0.1:8000``), ``PEERCARE_HUB_API_URL``
  (``http://127.0.0.1:8081``), ``PEERCARE_HUB_PROXY_API`` (``http://127.0.0.1:8001``),
  ``PEERCARE_HUB_FORMGRADER_PORT`` (``9999``): where the hub, its API, the proxy's API and
  the Formgrader service listen. Put Caddy in front for HTTPS (``peercare deploy`` shows how).
- ``PEERCARE_EXCHANGE`` and ``PEERCARE_GRADEBOOK_URL``: the shared nbgrader exchange folder
  and the gradebook database (PostgreSQL), read by ``grading/nbgrader_config.py``; every
  server the hub starts and every ``peercare cert`` command use the same two.

OAuth instead of sign-up: see the README ("Many cohorts: JupyterHub").
"""

import json
import os
import sys
from pathlib import Path

from jupyterhub.objects import Server
from tornado import web

c = get_config()  # noqa: F821 (JupyterHub provides it)
HERE = Path(__file__).resolve().parent
KIT = Path(os.environ.get("PEERCARE_ROOT") or HERE.parents[1]).resolve()
COURSE = Path(os.environ.get("PEERCARE_COURSE") or KIT / "grading").resolve()
STATE = Path(os.environ.get("PEERCARE_HUB_STATE", "/var/lib/peercare-hub"))
STATE.mkdir(parents=True, exist_ok=True, mode=0o700)


def _names(variable: str) -> set[str]:
    return {n.strip().lower() for n in os.environ.get(variable, "").split(",") if n.strip()}


LEADS, TRAINERS = _names("PEERCARE_HUB_LEADS"), _names("PEERCARE_HUB_TRAINERS")
FORMGRADER_PORT = int(os.environ.get("PEERCARE_HUB_FORMGRADER_PORT", "9999"))

# --- the hub, its database and its proxy --------------------------------------------------
c.JupyterHub.bind_url = os.environ.get("PEERCARE_HUB_URL", "http://127.0.0.1:8000")
c.JupyterHub.hub_bind_url = os.environ.get("PEERCARE_HUB_API_URL", "http://127.0.0.1:8081")
c.JupyterHub.db_url = os.environ.get("PEERCARE_HUB_DB_URL", f"sqlite:///{STATE / 'hub.sqlite'}")
c.JupyterHub.cookie_secret_file = str(STATE / "jupyterhub_cookie_secret")
c.JupyterHub.pid_file = str(STATE / "jupyterhub.pid")
c.ConfigurableHTTPProxy.api_url = os.environ.get("PEERCARE_HUB_PROXY_API", "http://127.0.0.1:8001")
c.ConfigurableHTTPProxy.pid_file = str(STATE / "jupyterhub-proxy.pid")
# configurable-http-proxy from npm, installed in this folder (`npm ci` here), never globally
c.ConfigurableHTTPProxy.command = [str(HERE / "node_modules" / ".bin" / "configurable-http-proxy")]
c.JupyterHub.cleanup_servers = True

# --- who may log in: sign-up with a lead trainer's approval -------------------------------
c.JupyterHub.authenticator_class = "nativeauthenticator.NativeAuthenticator"
c.NativeAuthenticator.open_signup = False  # a lead trainer approves each new account
c.NativeAuthenticator.minimum_password_length = 10
c.NativeAuthenticator.check_common_password = True
c.NativeAuthenticator.allowed_failed_logins = 5
c.NativeAuthenticator.seconds_before_next_try = 120
c.NativeAuthenticator.ask_email_on_signup = False  # nothing about a person we do not need
c.Authenticator.admin_users = LEADS  # lead trainers sign up first; they are approved at once
c.Authenticator.allow_all = True  # NativeAuthenticator's approval is the gate (JupyterHub 5)

# --- roles --------------------------------------------------------------------------------
c.JupyterHub.load_groups = {
    "lead-trainers": {"users": sorted(LEADS)},
    "trainers": {"users": sorted(TRAINERS)},
}
c.JupyterHub.load_roles = [
    {
        "name": "lead-trainer",
        "description": "Approves accounts, grades in Formgrader, sees who is on the hub",
        "groups": ["lead-trainers"],
        "scopes": [
            "access:services!service=formgrader",
            "admin-ui",
            "list:users",
            "read:users",
            "admin:users",
            "read:groups",
            "read:servers",
        ],
    },  # fmt: skip
    {
        "name": "formgrader-service",
        "description": "The Formgrader service checks who opens it",
        "services": ["formgrader"],
        "scopes": ["read:users:name", "read:groups:name"],
    },
]

# --- each person's own server -------------------------------------------------------------
# One computer account for every server (SimpleLocalProcessSpawner), each in its own folder.
# For separate computer accounts use LocalProcessSpawner or SystemdSpawner (The Littlest
# JupyterHub) with accounts named as the hub users, and PEERCARE_CHECK_OWNER=1; on
# Kubernetes, deploy/z2jh/.
c.JupyterHub.spawner_class = "jupyterhub.spawner.SimpleLocalProcessSpawner"
c.SimpleLocalProcessSpawner.home_dir_template = str(STATE / "users" / "{username}")
c.Spawner.cmd = [sys.executable, "-m", "jupyterhub.singleuser"]
c.Spawner.default_url = "/lab"
c.Spawner.start_timeout = 180  # a small server starting JupyterLab for a whole cohort at once
c.Spawner.http_timeout = 120
c.Spawner.args = ["--LabApp.news_url=", "--ServerApp.terminals_enabled=False",
                  "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"]  # fmt: skip
if os.geteuid() == 0:  # a test or a container: the servers run as root too
    c.Spawner.args.append("--allow-root")
c.Spawner.mem_limit = os.environ.get("PEERCARE_HUB_MEM_LIMIT", "1G")  # read by z2jh/systemd
KEEP_ENV = ("PEERCARE_ROOT", "PEERCARE_COURSE", "PEERCARE_EXCHANGE", "PEERCARE_GRADEBOOK_URL",
            "PEERCARE_DB_URL", "PEERCARE_SANDBOX", "PEERCARE_CELL_TIMEOUT", "PYTHONPATH")  # fmt: skip
c.Spawner.env_keep.extend(KEEP_ENV)
LAB_ENV = ("JUPYTER_CONFIG_DIR", "JUPYTERLAB_SETTINGS_DIR", "JUPYTERLAB_WORKSPACES_DIR")
NO_ROLE = (
    "Your account is approved, but a lead trainer has not given you a role yet. "
    "Ask them to add you as a trainer, or to add your candidate id to the course."
)


def pre_spawn_hook(spawner):
    """Lead trainer, candidate or trainer: the server's folder and its nbgrader settings."""
    from peercare.certification import Course
    from peercare.certification.candidates import candidate_names
    from peercare.certification.lab import candidate_lab, lead_lab

    name = spawner.user.name
    course = Course.find(COURSE)
    if name in LEADS:
        lab = lead_lab(course)
    elif name in candidate_names(course):
        lab = candidate_lab(course, name)
    elif name in TRAINERS:
        spawner.notebook_dir = str(KIT / "notebooks")
        return
    else:
        raise web.HTTPError(403, NO_ROLE)
    spawner.notebook_dir = str(lab.root)
    spawner.environment.update({k: lab.env[k] for k in LAB_ENV})


c.Spawner.pre_spawn_hook = pre_spawn_hook

# --- Formgrader: a hub service for lead trainers, in its own tab --------------------------
# The hub's content security policy keeps it out of an iframe, so lead trainers open
# /services/formgrader/formgrader directly (the hub's home page lists it under Services).
# JupyterHub gives a managed service about 10 s to answer, so it is a plain Jupyter server
# with only nbgrader's Formgrader on it (no JupyterLab, Voila or language server to load).
FORMGRADER_CONFIG = STATE / "formgrader-config"
FORMGRADER_CONFIG.mkdir(exist_ok=True)
(FORMGRADER_CONFIG / "jupyter_server_config.json").write_text(
    json.dumps({"ServerApp": {"jpserver_extensions": {
        **{name: False for name in ("jupyterlab", "voila", "voila.server_extension",
                                    "jupyter_lsp", "notebook", "notebook_shim",
                                    "jupyter_server_terminals")},
        **{f"nbgrader.server_extensions.{name}": False
           for name in ("assignment_list", "course_list", "validate_assignment")},
        "nbgrader.server_extensions.formgrader": True,
    }, "terminals_enabled": False}})
)  # fmt: skip


def _patient(wait_up):
    """JupyterHub gives a managed service 10 tries of 1 s at start (JupyterHub.start_service),
    then stops. Formgrader imports nbconvert and SQLAlchemy: on a small, busy server that
    takes longer. Each of those tries waits up to SERVICE_WAIT s instead (a service that
    exits is still noticed at once)."""

    async def patient(self, timeout=10, *args, **kwargs):
        return await wait_up(self, max(timeout, SERVICE_WAIT), *args, **kwargs)

    return patient


SERVICE_WAIT = float(os.environ.get("PEERCARE_HUB_SERVICE_WAIT", "12"))
Server.wait_up = _patient(Server.wait_up)

c.JupyterHub.services = [
    {
        "name": "formgrader",
        "display": True,
        "url": f"http://127.0.0.1:{FORMGRADER_PORT}",
        "command": [
            sys.executable,
            "-m",
            "jupyterhub.singleuser",
            *(["--allow-root"] if os.geteuid() == 0 else []),
        ],  # fmt: skip
        "cwd": str(COURSE),
        "environment": {
            "JUPYTERHUB_SINGLEUSER_APP": "jupyter_server.serverapp.ServerApp",
            "JUPYTERHUB_DEFAULT_URL": "/formgrader",
            "JUPYTER_CONFIG_DIR": str(FORMGRADER_CONFIG),
            **{k: os.environ[k] for k in KEEP_ENV if k in os.environ},
            "PATH": os.environ.get("PATH", ""),
        },
        "oauth_no_confirm": True,
    }
]
