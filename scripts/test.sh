#!/usr/bin/env bash
# Set up everything and run the whole test suite: lint, type check, tests, then build the
# ward-PC program and self-test it (packaging/build.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
export QT_QPA_PLATFORM=offscreen
echo "== ruff"; .venv/bin/ruff check .
echo "== ruff format"; .venv/bin/ruff format --check .
echo "== mypy"; .venv/bin/mypy
echo "== forms check"; .venv/bin/npc-crf forms check forms
echo "== PostgreSQL for the center tests"
NPC_CRF_TEST_PG_URL=$(scripts/pg_test_server.sh start)
export NPC_CRF_TEST_PG_URL
trap 'scripts/pg_test_server.sh stop' EXIT
echo "== pytest"; .venv/bin/python -m pytest "$@"
# the ward-PC build: PyInstaller one-folder program, its self-test and an upgrade check
# (NPC_CRF_SKIP_BUILD=1 leaves it out while working on something else; CI never sets it)
if [ "${NPC_CRF_SKIP_BUILD:-}" != 1 ]; then
  echo "== ward-PC build"; packaging/build.sh
fi
