#!/usr/bin/env bash
# Set up everything npc-crf needs on a fresh Debian/Ubuntu machine:
#   1. the system packages that headless Qt, CJK text and PDF checks need (apt);
#   2. a virtual environment in .venv with npc-crf and its development tools.
# Safe to run again: each step is skipped when it is already done.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(
  # Python itself, for machines that do not have a venv-capable Python yet
  python3 python3-venv python3-pip
  # headless Qt (offscreen platform)
  libegl1 libgl1 libx11-6 libdbus-1-3 libfontconfig1 libfreetype6 libglib2.0-0 libxkbcommon0
  # Qt on a virtual X screen (screenshots through the xcb platform)
  xvfb xauth libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1 libxcb-render-util0
  libxcb-render0 libxcb-shape0 libxcb-util1 libxcb-xkb1 libxkbcommon-x11-0
  # Chinese text on screen and in PDFs; PDF rasterising for checks
  fonts-noto-cjk fonts-wqy-zenhei poppler-utils
)

missing_apt() {
  local p
  for p in "${APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || echo "$p"
  done
}

if command -v dpkg-query >/dev/null 2>&1; then
  mapfile -t todo < <(missing_apt)
  if ((${#todo[@]})); then
    echo "bootstrap: installing system packages: ${todo[*]}"
    SUDO=""
    if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
    export DEBIAN_FRONTEND=noninteractive
    $SUDO apt-get update -qq
    $SUDO apt-get install -y -qq --no-install-recommends "${todo[@]}" >/dev/null
  fi
else
  echo "bootstrap: not a Debian/Ubuntu system; install the Qt and font packages listed in $0 yourself" >&2
fi

PY="${PYTHON:-python3}"
if ! "$PY" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)'; then
  echo "bootstrap: npc-crf needs Python 3.11 or newer; set PYTHON=/path/to/python3.11" >&2
  exit 1
fi

stamp_now=$(cat pyproject.toml | sha256sum | cut -d' ' -f1)
if [ ! -x .venv/bin/python ] || [ "$(cat .venv/.setup-stamp 2>/dev/null)" != "$stamp_now" ]; then
  echo "bootstrap: preparing .venv"
  "$PY" -m venv .venv
  .venv/bin/python -m pip install -q --upgrade pip
  .venv/bin/python -m pip install -q -e '.[dev,build]'
  echo "$stamp_now" > .venv/.setup-stamp
fi

# The interface's translations: compile resources/i18n/*.ts into npc_crf/ui/i18n/*.qm
# (generated, not in git; rebuilt when the .ts is newer). scripts/i18n_update.sh refreshes the .ts.
mkdir -p npc_crf/ui/i18n
for ts in resources/i18n/*.ts; do
  qm="npc_crf/ui/i18n/$(basename "${ts%.ts}").qm"
  if [ ! -f "$qm" ] || [ "$ts" -nt "$qm" ]; then
    .venv/bin/pyside6-lrelease -silent "$ts" -qm "$qm"
  fi
done
