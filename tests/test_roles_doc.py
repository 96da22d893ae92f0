"""The permission matrix in docs/roles.md is the one the code enforces."""

from __future__ import annotations

from pathlib import Path

from npc_crf.auth.roles import MATRIX, Permission, Role

DOC = Path(__file__).resolve().parents[1] / "docs" / "roles.md"


def test_documented_matrix_equals_code() -> None:
    lines = [ln for ln in DOC.read_text(encoding="utf-8").splitlines() if ln.startswith("| `")]
    header = next(
        ln for ln in DOC.read_text(encoding="utf-8").splitlines() if ln.startswith("| permission")
    )
    roles = [Role(c.strip()) for c in header.strip("|").split("|")[2:]]
    documented: dict[Role, set[Permission]] = {r: set() for r in roles}
    for line in lines:
        cells = [c.strip() for c in line.strip("|").split("|")]
        permission = Permission(cells[0].strip("`"))
        for role, cell in zip(roles, cells[2:], strict=True):
            assert cell in ("yes", "—"), line
            if cell == "yes":
                documented[role].add(permission)
    assert {p.value for p in Permission} == {
        c.strip("|").split("|")[0].strip().strip("`") for c in lines
    }
    assert documented == {r: set(MATRIX[r]) for r in roles}
    assert set(roles) == set(Role)


def test_principles_hold() -> None:
    """Only investigators sign; monitors and administrators never change clinical values."""
    assert [r for r in Role if Permission.SIGN in MATRIX[r]] == [Role.INVESTIGATOR]
    for role in (Role.MONITOR, Role.ADMIN):
        assert Permission.ENTER_DATA not in MATRIX[role]
        assert Permission.IMPORT_DATA not in MATRIX[role]
