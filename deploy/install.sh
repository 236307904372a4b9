#!/usr/bin/env bash
# One rented Debian/Ubuntu server, from the kit's folder (e.g. a clone in /opt/peercare):
#   sudo deploy/install.sh --domain training.example.org [--email you@example.org] [--dry-run]
# Installs what building the kit needs (make, Node.js, python3-venv) from Debian, builds the
# book with Debian's Python, then runs `peercare deploy` with the same options (README, "A
# session on a video call"). --dry-run: says what it would install and build, changes nothing.
set -euo pipefail
cd "$(dirname "$0")/.."
dry=
for arg in "$@"; do [ "$arg" = --dry-run ] && dry=1; done
if [ -z "$dry" ] && [ "$(id -u)" != 0 ]; then
  echo "deploy/install.sh: run it as root (sudo). To see what it would do: add --dry-run." >&2
  exit 2
fi
run() { if [ -n "$dry" ]; then echo "would run: $*"; else "$@"; fi; }
need=()
command -v make >/dev/null || need+=(make)
command -v npm >/dev/null || need+=(nodejs npm)
/usr/bin/python3 -c 'import ensurepip' 2>/dev/null || need+=(python3-venv)
if [ ${#need[@]} -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  run apt-get update -qq
  run apt-get install -y -qq "${need[@]}"
fi
# Debian's Python: the service's user must be able to run the kit's .venv.
run make build PYTHON=/usr/bin/python3
if [ -x .venv/bin/peercare ]; then
  exec .venv/bin/peercare deploy "$@"
fi
echo "(.venv is not made yet; after the steps above it runs: .venv/bin/peercare deploy $*)"
