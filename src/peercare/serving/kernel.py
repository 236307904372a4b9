"""The kernel behind every live-session page: ipykernel without its debugger.

``peercare serve`` puts ``share/kernels/python3`` first on Voila's JUPYTER_PATH, so the apps'
``python3`` kernels start here. Nobody debugs a participant's page, and ipykernel imports
debugpy at start (about 8 MiB per kernel, one kernel per participant) whenever it can.
JupyterLab, nbval and the book keep the ordinary kernel.
"""

from __future__ import annotations

import sys


def main() -> None:
    sys.modules["debugpy"] = None  # makes ipykernel's `import debugpy` fail: no debugger
    from ipykernel.kernelapp import launch_new_instance

    launch_new_instance()


if __name__ == "__main__":
    main()
