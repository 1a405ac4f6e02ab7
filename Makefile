# Everyday commands. `make run` and `make test` work on a fresh Debian machine.
#
# Both work in a virtual environment of the project's own, `.venv` beside this file
# (VENV=... for another folder), made from $(PYTHON) the first time. Nothing installed on
# the machine's own Python is visible in it. The install is done again only when
# pyproject.toml (or the list of Debian packages) changed since the last one: a stamp
# file in the environment records it, so a second `make run` goes straight to the window.
PYTHON ?= python3
VENV ?= .venv
PIP_FLAGS ?= -q --disable-pip-version-check
PY := $(VENV)/bin/python

RUN_STAMP := $(VENV)/.installed-run
TEST_STAMP := $(VENV)/.installed-test
INSTALL_INPUTS := pyproject.toml scripts/system-packages.sh

.PHONY: run test install install-test lint bench screenshots clean-venv

## Open the desktop app (with no hub configured, on a demo hub on this computer).
run: install
	$(PY) main.py $(ARGS)

## The whole test suite, with Qt offscreen and a private D-Bus session for the keyring.
test: install-test
	QT_QPA_PLATFORM=offscreen dbus-run-session -- $(PY) -m pytest $(PYTEST_ARGS)

install: $(RUN_STAMP)
install-test: $(TEST_STAMP)

# The environment itself, once; a folder left by an interrupted attempt is made again.
$(PY):
	scripts/system-packages.sh venv $(PYTHON)
	rm -rf $(VENV)
	$(PYTHON) -m venv $(VENV)

$(RUN_STAMP): $(INSTALL_INPUTS) | $(PY)
	scripts/system-packages.sh run
	$(PY) -m pip install $(PIP_FLAGS) -e .
	touch $@

$(TEST_STAMP): $(INSTALL_INPUTS) | $(PY)
	scripts/system-packages.sh test
	$(PY) -m pip install $(PIP_FLAGS) -e '.[test]'
	touch $@ $(RUN_STAMP)

## Style, import layers, types, and every import declared (deptry; see pyproject.toml).
lint: install-test
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(VENV)/bin/lint-imports
	$(PY) -m mypy bhcp_ag
	$(PY) -m deptry . --no-ansi --exclude 'venv|\.venv|\.git'
	$(PY) -m deptry . --no-ansi --optional-dependencies-dev-groups test --extend-exclude 'bench|scripts'

bench: install-test
	QT_QPA_PLATFORM=offscreen $(PY) bench/run_all.py

screenshots: install
	QT_QPA_PLATFORM=offscreen $(PY) scripts/screenshot.py docs/screenshot.png --form docs/new-request.png --roles docs
	QT_QPA_PLATFORM=offscreen $(PY) scripts/screenshot_sync.py docs

## Start again from nothing: the next `make run` or `make test` makes a new environment.
clean-venv:
	rm -rf $(VENV)
