#!/usr/bin/env bash
# Run every test suite. pytest-xvfb starts a 1920x1080x24 Xvfb for the run; the tray tests
# start trayer on it themselves. The import-layer contracts run first (cheap, and they catch
# Qt leaking into the Qt-free layers).
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${VENV:-.venv}
unset QT_QPA_PLATFORM   # let Qt use xcb on the test Xvfb

"$VENV/bin/lint-imports"
"$VENV/bin/python" -m pytest "$@"
