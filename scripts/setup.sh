#!/usr/bin/env bash
# Set up a fresh machine for running and testing Intake:
#   * Debian/Ubuntu packages Qt needs under Xvfb, a tray host, xdotool (only as root, only if missing)
#   * a virtual environment in .venv with the app (editable) and its dev/build extras
# Safe to run again: it installs only what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

VENV=${VENV:-.venv}
PY=${PYTHON:-python3}

DEB_PACKAGES=(
  xvfb xauth trayer xdotool x11-xserver-utils x11-utils dbus-daemon dbus-bin sqlite3
  desktop-file-utils libglib2.0-bin binutils openssl
  libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-render-util0 libxcb-shape0 libxkbcommon-x11-0
  libgl1 libegl1 libfontconfig1 libdbus-1-3 libglib2.0-0 libx11-6 libxkbcommon0
)

if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
  missing=()
  for pkg in "${DEB_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    echo "setup: installing Debian packages: ${missing[*]}" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get -o DPkg::Lock::Timeout=600 update -q >/dev/null
    apt-get -o DPkg::Lock::Timeout=600 install -y -q --no-install-recommends "${missing[@]}" >/dev/null
  fi
elif ! command -v Xvfb >/dev/null 2>&1; then
  echo "setup: note: Xvfb is not installed and this is not a root Debian shell; GUI tests will be skipped" >&2
fi

if [ ! -x "$VENV/bin/python" ]; then
  echo "setup: creating $VENV" >&2
  "$PY" -m venv "$VENV"
fi
stamp="$VENV/.installed-$(sha256sum pyproject.toml | cut -c1-16)"
if [ ! -e "$stamp" ]; then
  echo "setup: installing Python packages into $VENV" >&2
  "$VENV/bin/python" -m pip install -q --upgrade pip
  "$VENV/bin/python" -m pip install -q -e ".[dev,build]"
  rm -f "$VENV"/.installed-*
  touch "$stamp"
fi
