# Everyday commands. `make run` and `make test` work on a fresh Debian machine.
PYTHON ?= python3
PIP_FLAGS ?= -q --disable-pip-version-check

.PHONY: run test install install-test system-packages lint bench screenshots

system-packages:
	scripts/system-packages.sh

install: system-packages
	$(PYTHON) -m pip install $(PIP_FLAGS) -e .

install-test: system-packages
	$(PYTHON) -m pip install $(PIP_FLAGS) -e '.[test]'

## Open the desktop app (with no hub configured, on a demo hub on this computer).
run: install
	$(PYTHON) main.py

## The whole test suite, with Qt offscreen and a private D-Bus session for the keyring.
test: install-test
	QT_QPA_PLATFORM=offscreen dbus-run-session -- $(PYTHON) -m pytest $(PYTEST_ARGS)

lint:
	ruff check .
	ruff format --check .
	lint-imports

bench: install
	QT_QPA_PLATFORM=offscreen $(PYTHON) bench/run_all.py

screenshots: install
	QT_QPA_PLATFORM=offscreen $(PYTHON) scripts/screenshot.py docs/screenshot.png --form docs/new-request.png --roles docs
	QT_QPA_PLATFORM=offscreen $(PYTHON) scripts/screenshot_sync.py docs
