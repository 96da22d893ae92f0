"""What the ODM tests share, and tests that the two validators can fail.

* :func:`xsd_errors` validates a file against the official CDISC ODM 1.3.2 XSDs
  (``tests/data/odm-1.3.2``; local imports only, no network);
* :func:`check_references` (npc_crf.exchange.odm.check) checks what the XSD cannot;
* :func:`expected_values` is the round-trip oracle: what a dataset should read back as,
  computed from the payload alone (not from the exporter's code).
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Collection, Mapping
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from npc_crf.exchange.odm.check import check_references
from npc_crf.exchange.odm.reader import ValueKey
from npc_crf.exchange.odm.writer import OdmOptions, OdmReport, write_odm
from npc_crf.forms.loader import load_study
from npc_crf.forms.model import Study

ROOT = Path(__file__).resolve().parents[1]
ODM_DATA = ROOT / "tests" / "data" / "odm"
XSD = ROOT / "tests" / "data" / "odm-1.3.2" / "ODM1-3-2.xsd"
NS = {"odm": "http://www.cdisc.org/ns/odm/v1.3"}
#: the sites of the hand-made dataset
SITES = ("S01", "S02")


@cache
def _schema() -> Any:
    return etree.XMLSchema(etree.parse(str(XSD)))


def xsd_errors(path: Path) -> list[str]:
    """Every XSD violation of the file (empty: valid ODM 1.3.2)."""
    schema = _schema()
    document = etree.parse(str(path), etree.XMLParser(huge_tree=True))
    if schema.validate(document):
        return []
    return [f"line {e.line}: {e.message}" for e in schema.error_log]


def problems(path: Path) -> list[str]:
    """XSD violations and broken references together."""
    return xsd_errors(path) + check_references(path)


@cache
def odm_study() -> Study:
    """The test study: every item type (tests/data/odm/study)."""
    return load_study(ODM_DATA / "study")


def dataset() -> dict[str, Any]:
    """A fresh copy of the hand-made payload (tests/data/odm/dataset.json)."""
    data: dict[str, Any] = json.loads((ODM_DATA / "dataset.json").read_text(encoding="utf-8"))
    return data


def export(
    path: Path,
    payload: Mapping[str, Any] | None = None,
    *,
    study: Study | None = None,
    **options: Any,
) -> OdmReport:
    """Write the hand-made dataset (or ``payload``) as ODM with the test study."""
    sites = options.pop("site_ids", SITES)
    return write_odm(
        path,
        study or odm_study(),
        dataset() if payload is None else payload,
        OdmOptions(site_ids=tuple(sites), **options),
    )


def expected_values(
    payload: Mapping[str, Any], subjects: Collection[str] | None = None
) -> tuple[dict[ValueKey, tuple[str | None, str | None]], dict[ValueKey, str]]:
    """Values and kinds a round trip must give back: every non-empty value outside removed
    rows, keyed (subject, event, occurrence, form, group, row position, item)."""
    events = {e["uid"]: e for e in payload["events"]}
    forms = {f["uid"]: f for f in payload["forms"]}
    rows = {r["uid"]: r for r in payload["rows"]}
    values: dict[ValueKey, tuple[str | None, str | None]] = {}
    kinds: dict[ValueKey, str] = {}
    for v in payload["values"]:
        if v["value"] is None and v["missing_code"] is None:
            continue
        row = rows.get(v["row_uid"]) if v["row_uid"] else None
        if row is not None and row["deleted"]:
            continue
        form = forms[v["form_uid"]]
        event = events[form["event_uid"]]
        if subjects is not None and event["subject_id"] not in subjects:
            continue
        key: ValueKey = (
            event["subject_id"],
            event["event_oid"],
            int(event["occurrence"]),
            form["form_oid"],
            row["group_oid"] if row else "",
            int(row["position"]) if row else 0,
            v["item_oid"],
        )
        values[key] = (v["value"], v["missing_code"])
        if v["value"] is not None:
            kinds[key] = v["kind"]
    return values, kinds


def parse(path: Path) -> Any:
    """The file as an lxml tree."""
    return etree.parse(str(path))


# -- the validators can fail ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def valid_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("odm") / "valid.xml"
    export(path)
    assert problems(path) == []
    return path


def _swap_first_two_item_defs(root: Any) -> None:
    first = root.find(".//odm:ItemDef", NS)
    first.addprevious(root.find(".//odm:CodeList", NS))  # a CodeList before an ItemDef


def _typed_element_with_is_null(root: Any) -> None:
    root.find(".//odm:ItemDataDate", NS).set("IsNull", "Yes")


def _ungrouped_item_data(root: Any) -> None:
    item = root.find(".//odm:ItemDataString", NS)
    item.getparent().getparent().append(item)  # ItemData straight under FormData


XSD_BREAKAGES: dict[str, Callable[[Any], None]] = {
    "element order": _swap_first_two_item_defs,
    "IsNull on a typed element": _typed_element_with_is_null,
    "ItemData outside ItemGroupData": _ungrouped_item_data,
}


@pytest.mark.parametrize("breakage", sorted(XSD_BREAKAGES))
def test_the_xsd_refuses_a_broken_file(valid_file: Path, tmp_path: Path, breakage: str) -> None:
    tree = parse(valid_file)
    XSD_BREAKAGES[breakage](tree.getroot())
    broken = tmp_path / "broken.xml"
    tree.write(str(broken), encoding="UTF-8", xml_declaration=True)
    assert xsd_errors(broken)


def _rename(xpath: str, attribute: str, value: str) -> Callable[[Any], None]:
    def change(root: Any) -> None:
        root.find(xpath, NS).set(attribute, value)

    return change


def _flag_value(root: Any) -> None:
    root.find(".//odm:FlagValue", NS).text = "no-such-code"


def _duplicate_row(root: Any) -> None:
    row = root.find(".//odm:ItemGroupData[@ItemGroupRepeatKey]", NS)
    row.addnext(copy.deepcopy(row))


def _integer_as_date(root: Any) -> None:
    item = root.find(".//odm:ItemDataInteger", NS)
    item.tag = f"{{{NS['odm']}}}ItemDataDate"
    item.text = "2024-01-01"


REFERENCE_BREAKAGES: dict[str, tuple[Callable[[Any], None], str]] = {
    "unknown ItemOID": (_rename(".//odm:ItemDataDate", "ItemOID", "I.NOPE"), "names no ItemDef"),
    "item of another group": (
        _rename(".//odm:ItemDataDate", "ItemOID", "I.LES.TLNOTE"),
        "is not an item of ItemGroupDef",
    ),
    "unknown form": (_rename(".//odm:FormData", "FormOID", "F.NOPE"), "names no FormDef"),
    "form not in its event": (
        _rename(".//odm:FormData", "FormOID", "F.AE"),
        "is not referenced by the definition of SE.SCR",
    ),
    "unknown user": (_rename(".//odm:UserRef", "UserOID", "USR.ghost"), "names no User"),
    "unknown condition": (
        _rename(
            ".//odm:ItemRef[@CollectionExceptionConditionOID]",
            "CollectionExceptionConditionOID",
            "CD.X",
        ),
        "names no ConditionDef",
    ),
    "dangling AuditRecordID": (
        _rename(".//odm:ItemDataDate[@AuditRecordID]", "AuditRecordID", "AR.none.1"),
        "names no element",
    ),
    "flag value outside its list": (_flag_value, "is not a code of"),
    "repeat key used twice": (_duplicate_row, "repeats the key"),
    "element against its DataType": (_integer_as_date, "does not fit its DataType"),
}


@pytest.mark.parametrize("breakage", sorted(REFERENCE_BREAKAGES))
def test_the_reference_check_finds_each_broken_reference(
    valid_file: Path, tmp_path: Path, breakage: str
) -> None:
    change, message = REFERENCE_BREAKAGES[breakage]
    tree = parse(valid_file)
    change(tree.getroot())
    broken = tmp_path / "broken.xml"
    tree.write(str(broken), encoding="UTF-8", xml_declaration=True)
    found = check_references(broken)
    assert any(message in p for p in found), found
