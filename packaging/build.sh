#!/usr/bin/env bash
# Build the ward-PC application on Linux (one folder, PyInstaller) and run its self-test.
#
#   packaging/build.sh            # -> dist/npc-crf/ (npc-crf, npc-crf-gui, _internal/)
#
# Fails (non-zero exit) when the build fails, when the frozen program's self-test fails,
# or when the frozen program cannot open and verify the previous release's data
# (tests/fixtures/upgrade). Prints the build time and the folder's size, and writes
# them to dist/npc-crf-build.txt. scripts/test.sh (and so CI) runs it after the tests.
# The Windows build is packaging/build.ps1; docs/packaging.md explains both.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh  # the environment, PyInstaller (the build extra) and the .qm files

start=$(date +%s)
.venv/bin/python -m PyInstaller packaging/npc-crf.spec --noconfirm --log-level WARN \
  --distpath dist --workpath build/pyinstaller
seconds=$(( $(date +%s) - start ))
app=dist/npc-crf
size_mb=$(du -sm "$app" | cut -f1)
files=$(find "$app" -type f | wc -l)
version=$("$app/npc-crf" --version)
summary="$version: built in ${seconds} s; $app is ${size_mb} MB in ${files} files"
echo "== build: $summary"

echo "== self-test of the frozen program"
QT_QPA_PLATFORM=offscreen "$app/npc-crf" --self-test

echo "== the frozen program opens the previous release's data"
packaging/check_upgrade.sh "$app/npc-crf"

echo "$summary" > dist/npc-crf-build.txt
