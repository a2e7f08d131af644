# Intake: the two commands a fresh machine needs are `make run` and `make test`.
VENV ?= .venv
PY := $(VENV)/bin/python

.PHONY: setup run test test-fast lint bundle bundle-test bench screenshots clean

setup:
	bash scripts/setup.sh

## Set up and start the app in demo mode (a local service on this computer; nothing else needed).
run: setup
	$(PY) -m intake_app --demo

## Set up and run every test (Xvfb, tray host, SMTP and Request Tracker are started by the test setup).
test: setup
	bash scripts/test.sh

## The quick suites only (no GUI, no kill tests, no Request Tracker).
test-fast: setup
	$(PY) -m pytest -q -m "not gui and not tray and not slow and not rt" --no-xvfb

lint: setup
	$(VENV)/bin/lint-imports

bundle: setup
	bash build/build.sh

## Build the onedir bundle and smoke-test it (--version, diagnostics, headless submit, tray docked).
bundle-test: setup
	INTAKE_BUNDLE_SMOKE=1 $(PY) -m pytest -q tests/ship/test_bundle_smoke.py tests/ship/test_bundle_contents.py

bench: setup
	$(PY) benchmarks/run_all.py

screenshots: setup
	$(PY) scripts/screenshots.py

clean:
	rm -rf dist build/work build/dist .pytest_cache
