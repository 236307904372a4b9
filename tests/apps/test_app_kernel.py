"""The live apps' kernels: Voila started our way runs ``peercare.serving.kernel`` (ipykernel without
its debugger), and an app page loads no module it does not need (memory per participant)."""

from __future__ import annotations

import os

from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.manager import start_new_kernel

from peercare.serving.serve import voila_env

from ..conftest import ROOT


def _run(client, code: str) -> str:
    out: list[str] = []

    def hook(msg):
        if msg["msg_type"] == "stream":
            out.append(msg["content"]["text"])
        elif msg["msg_type"] == "error":
            out.append("ERROR " + msg["content"]["ename"] + ": " + msg["content"]["evalue"])

    client.execute_interactive(code, output_hook=hook, timeout=120)
    return "".join(out)


def test_voila_finds_our_kernel_and_it_has_no_debugger(monkeypatch, tmp_path):
    env = voila_env(ROOT, {**os.environ, "PEERCARE_DATA_DIR": str(tmp_path)})
    monkeypatch.setenv("JUPYTER_PATH", env["JUPYTER_PATH"])
    spec = KernelSpecManager().get_kernel_spec("python3")
    assert spec.argv[:3] == ["python", "-m", "peercare.serving.kernel"]

    manager, client = start_new_kernel(kernel_name="python3", env=env)
    try:
        assert _run(client, "import sys; print(sys.modules.get('debugpy', 'absent'))") == "None\n"
        code = (
            "from peercare.apps.participant import participant_app\n"
            "app = participant_app()\n"
            "print(type(app).__name__, sorted(m for m in ('sqlalchemy.orm', 'alembic', "
            "'pandas', 'debugpy.server') if m in sys.modules))"
        )
        assert _run(client, code) == "VBox []\n"
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)
