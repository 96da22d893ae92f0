#!/usr/bin/env bash
# The frozen program opens the previous release's data the way an upgraded ward PC does:
# it backs the database up, migrates it, and the audit chain and signatures still verify.
#
#   packaging/check_upgrade.sh dist/npc-crf/npc-crf
#
# Uses a copy of tests/fixtures/upgrade/site (schema 0002, synthetic demo data, public demo
# passwords: tests/fixtures/upgrade/README.md); the fixture itself is never changed.
set -euo pipefail
program=$(realpath "$1")
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp -r tests/fixtures/upgrade/site "$work/site"

export NPC_CRF_PASSWORD=demo-admin-pass  # the fixture's public demo password
# the first command after the upgrade: backup, migration, then the audit check
"$program" audit verify --data-dir "$work/site" --user admin
backups=$("$program" backup list --data-dir "$work/site" --user admin)
echo "$backups"
if ! grep -q "pre-migration-0002-to-" <<<"$backups"; then
  echo "check_upgrade: no pre-migration backup was made" >&2
  exit 1
fi
# opened again: nothing left to migrate, the chain still verifies, and the upgrade is audited
"$program" audit verify --data-dir "$work/site" --user admin >/dev/null
trail=$("$program" audit show --data-dir "$work/site" --user admin --json)
if ! grep -q '"schema_upgraded"' <<<"$trail"; then
  echo "check_upgrade: the upgrade is not in the audit trail" >&2
  exit 1
fi
echo "check_upgrade: the previous release's data opened, migrated after a backup, and verified"
