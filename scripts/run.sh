#!/usr/bin/env bash
# Set up everything and run the application on a demo site.
# The demo site (invented subjects, public demo passwords, printed when it is made) lives in
# demo-site/ (git-ignored) and is made with `npc-crf demo` the first time. With a display the
# desktop application opens on it; without one (a server, CI) an offscreen screenshot tour of
# every screen is written to screenshots/ instead. Extra arguments go to `npc-crf gui`.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
DEMO="${NPC_CRF_DEMO_DIR:-demo-site}"
if [ ! -f "$DEMO/keys.json" ]; then
  echo "run: making a demo site in $DEMO (once; about half a minute)"
  .venv/bin/npc-crf demo --data-dir "$DEMO" --study NPC-SINT-RT --subjects 12
fi
if [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then
  exec .venv/bin/npc-crf gui --data-dir "$DEMO" "$@"
else
  echo "run: no display; taking an offscreen screenshot tour into screenshots/"
  QT_QPA_PLATFORM=offscreen exec .venv/bin/npc-crf gui --data-dir "$DEMO" --tour screenshots "$@"
fi
