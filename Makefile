# Two commands on a fresh machine:  make start  (build the book, serve book + live apps)
#                                   make test   (every test)
# Both run `make setup`, which is idempotent: a second run does nothing slow.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.stamp-setup
NPM_STAMP := web/node_modules/.peercare-lock.sha256
HUB_NPM_STAMP := deploy/jupyterhub/node_modules/.stamp-npm

.PHONY: setup start build serve test test-fast lint format system-deps clean benchmark handouts lighthouse rehearse

setup: $(STAMP) $(NPM_STAMP) $(HUB_NPM_STAMP)

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed (found %s)" % sys.version.split()[0])'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev,postgres,hub]"
	touch $(STAMP)

# npm ci runs only when web/package-lock.json changed (peercare.book.build.npm_install keeps a hash).
$(NPM_STAMP): $(STAMP) web/package.json web/package-lock.json
	@command -v npm >/dev/null || { echo "npm is needed: install Node.js 20+ (Debian: apt-get install nodejs npm)"; exit 1; }
	$(BIN)/python -c "from pathlib import Path; from peercare.book.build import npm_install; npm_install(Path('.').resolve())"
	touch $(NPM_STAMP)

# The hub's proxy (configurable-http-proxy) from npm, in deploy/jupyterhub only, never global.
$(HUB_NPM_STAMP): deploy/jupyterhub/package.json deploy/jupyterhub/package-lock.json
	npm ci --prefix deploy/jupyterhub --ignore-scripts --no-audit --no-fund --loglevel=error
	touch $(HUB_NPM_STAMP)

build: setup
	$(BIN)/peercare build --quiet

# PDFs to print (chapters, session plans, fill-in pages) in _build/handouts, by Debian's Chromium.
handouts: build system-deps
	$(BIN)/peercare handouts

start: build
	$(BIN)/peercare serve

serve: setup
	$(BIN)/peercare serve

# Debian's Chromium for the browser tests (Playwright never downloads its own browser) and
# Debian's Caddy for the deploy test (HTTPS through Caddy on loopback).
system-deps:
	@if [ ! -x /usr/bin/chromium ]; then \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; \
	  else echo "Install Debian's chromium (sudo apt-get install chromium) for the browser tests"; exit 1; fi; \
	fi
	@if ! command -v caddy >/dev/null; then \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq caddy; \
	  else echo "Install Debian's caddy (sudo apt-get install caddy) for the deploy test"; exit 1; fi; \
	fi
	@if ! command -v bwrap >/dev/null; then \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq bubblewrap; \
	  else echo "Install Debian's bubblewrap (sudo apt-get install bubblewrap): grading runs candidate code in it"; exit 1; fi; \
	fi

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: setup
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# pytest exits 5 when it collects no test; make treats that as a failure too.
test: setup system-deps lint
	$(BIN)/python -m pytest

# For every edit (about a minute): no browser, book build, PostgreSQL, Voila or nbgrader
# course; SQLite only. `make test` stays the full suite that CI runs.
test-fast: setup lint
	$(BIN)/python -m pytest -m "not slow" -q tests

benchmark: setup
	for b in book_build live_session autograde evaluation rehearse; do \
	  echo "== benchmarks/$$b.py"; $(BIN)/python benchmarks/$$b.py || exit 1; done

# A made-up cohort through every part of the kit, offline, with its checks (about 10 min);
# ARGS="--sessions 1 --participants 6 --candidates 2" for a quick one.
rehearse: setup
	$(BIN)/peercare rehearse $(ARGS)

# The book on a phone (Lighthouse, mobile profile); Lighthouse is installed here only.
lighthouse: build
	npm ci --prefix benchmarks --ignore-scripts --no-audit --no-fund --loglevel=error
	$(BIN)/python benchmarks/lighthouse.py

clean:
	rm -rf _build web/dist
