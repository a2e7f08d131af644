#!/usr/bin/env bash
# Build the Intake bundle with PyInstaller (`make bundle`): build/dist/intake-app/intake-app.
#   INTAKE_ONEFILE=1 bash build/build.sh   -> build/dist/intake-app-onefile (optional single file)
# Installs the `build` extra (PyInstaller) into the venv if it is missing; prints size and duration.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${VENV:-.venv}
PY="$VENV/bin/python"

if ! "$PY" -c "import PyInstaller" 2>/dev/null; then
  echo "build: installing the build extra (PyInstaller) into $VENV" >&2
  "$PY" -m pip install -q -e ".[build]"
fi
command -v readelf >/dev/null || { echo "build: readelf (binutils) is needed to prune unused libraries" >&2; exit 1; }

start=$(date +%s%N)
"$PY" -m PyInstaller --noconfirm --log-level "${PYI_LOG_LEVEL:-WARN}" \
  --distpath build/dist --workpath build/work build/intake_app.spec
end=$(date +%s%N)

if [ "${INTAKE_ONEFILE:-0}" = 1 ]; then
  out=build/dist/intake-app-onefile
else
  out=build/dist/intake-app
fi
size=$(du -sb "$out" | cut -f1)
echo "build: $out  $((size / 1000000)) MB  built in $(( (end - start) / 1000000000 )) s"
