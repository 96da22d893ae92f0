#!/usr/bin/env bash
# Set up everything and run the application.
# With a display it opens the desktop application; without one (a server, CI)
# it takes an offscreen screenshot tour and writes the PNG files to screenshots/.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
if [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then
  exec .venv/bin/npc-crf gui "$@"
else
  echo "run: no display; taking an offscreen screenshot tour into screenshots/"
  QT_QPA_PLATFORM=offscreen exec .venv/bin/npc-crf gui --tour screenshots "$@"
fi
