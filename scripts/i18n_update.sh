#!/usr/bin/env bash
# Refresh the translation source resources/i18n/npc_crf_zh_CN.ts from the interface's code.
#
# Every text of npc_crf/ui/**/*.py that goes through self.tr(), QCoreApplication.translate()
# or QT_TRANSLATE_NOOP() is collected; translations already in the file are kept, new texts
# are added as unfinished, texts no longer in the code are dropped. Translate the unfinished
# ones (Qt Linguist: .venv/bin/pyside6-linguist, or by hand), then run scripts/bootstrap.sh
# (or the lrelease line at its end) to build the .qm the application loads.
# No line numbers are written, so the file only changes when a text changes.
set -euo pipefail
cd "$(dirname "$0")/.."
LUPDATE="${LUPDATE:-.venv/bin/pyside6-lupdate}"
mapfile -t sources < <(find npc_crf/ui -name '*.py' -not -path '*/__pycache__/*' | LC_ALL=C sort)
"$LUPDATE" -locations none -no-obsolete -target-language zh_CN "${sources[@]}" \
  -ts resources/i18n/npc_crf_zh_CN.ts
