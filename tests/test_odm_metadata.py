"""ODM metadata: the study definition as Study/GlobalVariables/BasicDefinitions/MetaDataVersion."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from npc_crf.exchange.odm.metadata import holds_data
from npc_crf.exchange.odm.writer import OdmOptions, write_odm
from npc_crf.forms.model import Study
from tests.conftest import bundled_study_names
from tests.test_odm_support import NS, odm_study, parse, problems


@pytest.fixture(scope="module")
def metadata(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Any]:
    """A metadata-only export of the test study, and its tree."""
    path = tmp_path_factory.mktemp("odm") / "meta.xml"
    created = dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC)
    write_odm(
        path,
        odm_study(),
        None,
        OdmOptions(site_ids=("S01",), metadata_only=True, created_at=created, file_oid="F-1"),
    )
    return path, parse(path).getroot()


def one(root: Any, xpath: str) -> Any:
    found = root.findall(xpath, NS)
    assert len(found) == 1, f"{xpath}: {len(found)} found"
    return found[0]


def texts(element: Any, child: str) -> dict[str, str]:
    """TranslatedText of ``child`` by language."""
    lang = "{http://www.w3.org/XML/1998/namespace}lang"
    return {t.get(lang): t.text for t in element.findall(f"odm:{child}/odm:TranslatedText", NS)}


def aliases(element: Any) -> dict[str, str]:
    return {a.get("Context"): a.get("Name") for a in element.findall("odm:Alias", NS)}


def test_the_metadata_only_file_is_valid_and_labelled(metadata: tuple[Path, Any]) -> None:
    path, root = metadata
    assert problems(path) == []
    assert path.read_bytes().startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n<ODM ')
    assert {k: root.get(k) for k in ("FileType", "Granularity", "ODMVersion", "FileOID")} == {
        "FileType": "Snapshot",
        "Granularity": "Metadata",
        "ODMVersion": "1.3.2",
        "FileOID": "F-1",
    }
    assert root.get("CreationDateTime") == "2026-01-02T03:04:05.000000Z"
    assert root.get("SourceSystem") == "npc-crf" and root.get("SourceSystemVersion")
    assert [c.tag.split("}")[1] for c in root] == ["Study"]  # no AdminData, no ClinicalData
    assert "体重".encode() in path.read_bytes()  # Chinese as UTF-8, not character references


def test_global_variables_and_protocol(metadata: tuple[Path, Any]) -> None:
    _path, root = metadata
    assert one(root, "odm:Study").get("OID") == "ODM-TEST"
    gv = one(root, ".//odm:GlobalVariables")
    assert [c.text for c in gv] == [
        "ODM export test study",
        "A study that uses every item type",
        "ODM-TEST-2025",
    ]
    mdv = one(root, ".//odm:MetaDataVersion")
    assert mdv.get("OID") == "MDV.2.1"
    protocol = one(mdv, "odm:Protocol")
    refs = [
        (r.get("StudyEventOID"), r.get("OrderNumber"), r.get("Mandatory"))
        for r in protocol.findall("odm:StudyEventRef", NS)
    ]
    assert refs == [("SE.SCR", "1", "Yes"), ("SE.CYCLE", "2", "Yes"), ("SE.AELOG", "3", "No")]
    assert texts(protocol, "Description")["zh"] == "使用所有条目类型的研究"
    assert aliases(protocol) == {
        "npc-crf:protocol-version": "3.0",
        "npc-crf:registry": "NCT00000000",
    }


EVENTS = [
    # OID, Repeating, Type, forms in order
    ("SE.SCR", "No", "Scheduled", ["F.ALLT", "F.LES"]),
    ("SE.CYCLE", "Yes", "Scheduled", ["F.LES"]),
    ("SE.AELOG", "No", "Common", ["F.AE"]),
]


@pytest.mark.parametrize(("oid", "repeating", "kind", "forms"), EVENTS)
def test_study_event_defs(
    metadata: tuple[Path, Any], oid: str, repeating: str, kind: str, forms: list[str]
) -> None:
    _path, root = metadata
    sed = one(root, f".//odm:StudyEventDef[@OID='{oid}']")
    assert (sed.get("Repeating"), sed.get("Type")) == (repeating, kind)
    assert [f.get("FormOID") for f in sed.findall("odm:FormRef", NS)] == forms


FORMS = [
    # FormDef, its ItemGroupRefs (OID, Mandatory, condition), version alias
    ("F.ALLT", [("IG.ALLT", "Yes", None)], "1.2"),
    ("F.LES", [("IG.LES", "Yes", None), ("IG.LES.TL", "No", None)], "1.0"),
    ("F.AE", [("IG.AE.AE", "Yes", None)], "1.0"),  # only a group: no plain item group
]


@pytest.mark.parametrize(("oid", "groups", "version"), FORMS)
def test_form_defs_reference_their_item_groups_in_order(
    metadata: tuple[Path, Any], oid: str, groups: list[tuple[str, str, str | None]], version: str
) -> None:
    _path, root = metadata
    fd = one(root, f".//odm:FormDef[@OID='{oid}']")
    refs = fd.findall("odm:ItemGroupRef", NS)
    assert [
        (r.get("ItemGroupOID"), r.get("Mandatory"), r.get("CollectionExceptionConditionOID"))
        for r in refs
    ] == groups
    assert [r.get("OrderNumber") for r in refs] == [str(n) for n in range(1, len(refs) + 1)]
    assert aliases(fd) == {"npc-crf:version": version}


GROUPS = [
    ("IG.LES", "No", ["I.LES.LESDAT", "I.LES.TLSUM"]),
    ("IG.LES.TL", "Yes", ["I.LES.TLSITE", "I.LES.TLDIAM", "I.LES.TLNOTE"]),
    ("IG.AE.AE", "Yes", ["I.AE.AETERM", "I.AE.AESTDAT"]),
]


@pytest.mark.parametrize(("oid", "repeating", "items"), GROUPS)
def test_item_group_defs(
    metadata: tuple[Path, Any], oid: str, repeating: str, items: list[str]
) -> None:
    _path, root = metadata
    ig = one(root, f".//odm:ItemGroupDef[@OID='{oid}']")
    assert ig.get("Repeating") == repeating
    assert [r.get("ItemOID") for r in ig.findall("odm:ItemRef", NS)] == items


ITEMS = [
    # ItemDef, DataType, Length, SignificantDigits, npc-crf:type, CodeListRef
    ("I.ALLT.VISDAT", "date", None, None, "date", None),
    ("I.ALLT.INITIALS", "string", "5", None, "text", None),
    ("I.ALLT.NOTES", "string", None, None, "long_text", None),
    ("I.ALLT.AGE", "integer", None, None, "integer", None),
    ("I.ALLT.WEIGHT", "float", None, "2", "decimal", None),
    ("I.ALLT.DIAGDAT", "partialDate", None, None, "partial_date", None),
    ("I.ALLT.DOSETIM", "time", None, None, "time", None),
    ("I.ALLT.SAMPDTM", "datetime", None, None, "datetime", None),
    ("I.ALLT.ECOG", "integer", None, None, "single_choice", "CL.ECOG"),
    ("I.ALLT.SMOKER", "boolean", None, None, "yes_no", None),
    ("I.ALLT.METS", "string", None, None, "multiple_choice", "CL.SITE"),
    ("I.ALLT.SCAN", "string", None, None, "file", None),
    ("I.ALLT.HEAVY", "boolean", None, None, "calculated", None),
    ("I.ALLT.BMI", "float", None, None, "calculated", None),
    ("I.LES.TLSITE", "string", "5", None, "single_choice", "CL.SITE"),
    ("I.LES.TLDIAM", "float", None, "1", "decimal", None),
    ("I.AE.AETERM", "string", "8", None, "lookup", "CL.CTCAE"),
]


@pytest.mark.parametrize(("oid", "data_type", "length", "digits", "kind", "codelist"), ITEMS)
def test_item_defs(
    metadata: tuple[Path, Any],
    oid: str,
    data_type: str,
    length: str | None,
    digits: str | None,
    kind: str,
    codelist: str | None,
) -> None:
    _path, root = metadata
    idef = one(root, f".//odm:ItemDef[@OID='{oid}']")
    assert (idef.get("DataType"), idef.get("Length"), idef.get("SignificantDigits")) == (
        data_type,
        length,
        digits,
    )
    assert aliases(idef)["npc-crf:type"] == kind
    ref = idef.find("odm:CodeListRef", NS)
    assert (ref.get("CodeListOID") if ref is not None else None) == codelist
    assert set(texts(idef, "Question")) == {"en", "zh"}


def test_notes_and_groups_get_no_item_def(metadata: tuple[Path, Any]) -> None:
    _path, root = metadata
    defined = {i.get("OID") for i in root.iterfind(".//odm:ItemDef", NS)}
    assert not {"I.ALLT.INTRO", "I.LES.TL", "I.AE.AE"} & defined
    expected = {
        f"I.{form.oid}.{item.oid}"
        for form in odm_study().forms.values()
        for item, _group in form.all_items()
        if holds_data(item)
    }
    assert defined == expected


def test_an_item_def_carries_question_unit_help_and_aliases(metadata: tuple[Path, Any]) -> None:
    _path, root = metadata
    weight = one(root, ".//odm:ItemDef[@OID='I.ALLT.WEIGHT']")
    assert texts(weight, "Question") == {"en": "Weight", "zh": "体重"}
    unit = weight.find("odm:MeasurementUnitRef", NS).get("MeasurementUnitOID")
    symbol = one(root, f".//odm:MeasurementUnit[@OID='{unit}']")
    assert texts(symbol, "Symbol") == {"en": "kg"}  # the same text in Chinese is not repeated
    assert aliases(weight) == {
        "npc-crf:type": "decimal",
        "npc-crf:section": "MAIN",
        "npc-crf:missing-codes": "ND",
    }
    age_unit = one(root, ".//odm:ItemDef[@OID='I.ALLT.AGE']/odm:MeasurementUnitRef")
    years = one(root, f".//odm:MeasurementUnit[@OID='{age_unit.get('MeasurementUnitOID')}']")
    assert texts(years, "Symbol") == {"en": "years", "zh": "岁"}
    notes = one(root, ".//odm:ItemDef[@OID='I.ALLT.NOTES']")
    assert texts(notes, "Description") == {
        "en": "Anything worth knowing",
        "zh": "任何值得注意的事项",
    }
    initials = one(root, ".//odm:ItemDef[@OID='I.ALLT.INITIALS']")
    assert aliases(initials)["npc-crf:phi"] == "yes"
    assert aliases(one(root, ".//odm:ItemDef[@OID='I.ALLT.ECOG']"))["npc-crf:sdv"] == "yes"
    units = [u.get("Name") for u in root.iterfind(".//odm:MeasurementUnit", NS)]
    assert sorted(units) == ["kg", "mm", "years"]  # the units items use, each once


RANGES = [
    # item, [(SoftHard, Comparator, CheckValue or FormalExpression)]
    (
        "I.ALLT.AGE",
        [("Hard", "GE", "0"), ("Hard", "LE", "120"), ("Soft", "GE", "18"), ("Soft", "LE", "90")],
    ),
    ("I.ALLT.VISDAT", [("Hard", "GE", "2000-01-01"), ("Hard", "LE", "2099-12-31")]),
    ("I.ALLT.DIAGDAT", [("Soft", None, ". <= VISDAT")]),
    ("I.ALLT.SMOKER", []),
]


@pytest.mark.parametrize(("oid", "checks"), RANGES)
def test_range_checks(
    metadata: tuple[Path, Any], oid: str, checks: list[tuple[str, str | None, str]]
) -> None:
    _path, root = metadata
    found = []
    for check in one(root, f".//odm:ItemDef[@OID='{oid}']").findall("odm:RangeCheck", NS):
        value = check.find("odm:CheckValue", NS)
        expression = check.find("odm:FormalExpression", NS)
        if expression is not None:
            assert expression.get("Context") == "npc-crf"
        found.append(
            (
                check.get("SoftHard"),
                check.get("Comparator"),
                (value if value is not None else expression).text,
            )
        )
        assert set(texts(check, "ErrorMessage")) == {"en", "zh"}
    assert found == checks


def test_a_constraint_keeps_its_own_message(metadata: tuple[Path, Any]) -> None:
    _path, root = metadata
    check = one(root, ".//odm:ItemDef[@OID='I.ALLT.DIAGDAT']/odm:RangeCheck")
    assert texts(check, "ErrorMessage") == {
        "en": "Diagnosis after the visit",
        "zh": "诊断日期晚于访视日期",
    }


CONDITIONS = [
    # the ItemRef (or ItemGroupRef), its condition's expression
    (".//odm:ItemRef[@ItemOID='I.ALLT.PACKYRS']", "not (SMOKER)"),
    (".//odm:ItemRef[@ItemOID='I.ALLT.QUITDAT']", "not ((SMOKER) and (PACKYRS > 5))"),
    (".//odm:ItemRef[@ItemOID='I.LES.TLDIAM']", "not (TLSITE != 'BONE')"),
    (".//odm:ItemRef[@ItemOID='I.ALLT.VISDAT']", None),
]


@pytest.mark.parametrize(("xpath", "expression"), CONDITIONS)
def test_skip_logic_is_a_condition_def(
    metadata: tuple[Path, Any], xpath: str, expression: str | None
) -> None:
    _path, root = metadata
    oid = one(root, xpath).get("CollectionExceptionConditionOID")
    if expression is None:
        assert oid is None
        return
    condition = one(root, f".//odm:ConditionDef[@OID='{oid}']")
    formal = one(condition, "odm:FormalExpression")
    assert (formal.get("Context"), formal.text) == ("npc-crf", expression)


METHODS = [
    ("I.ALLT.HEAVY", "PACKYRS >= 20"),
    ("I.LES.TLSUM", "sum(TL.TLDIAM)"),
]


@pytest.mark.parametrize(("item", "expression"), METHODS)
def test_calculations_are_method_defs(
    metadata: tuple[Path, Any], item: str, expression: str
) -> None:
    _path, root = metadata
    oid = one(root, f".//odm:ItemRef[@ItemOID='{item}']").get("MethodOID")
    method = one(root, f".//odm:MethodDef[@OID='{oid}']")
    assert method.get("Type") == "Computation"
    assert one(method, "odm:FormalExpression").text == expression
    assert one(root, f".//odm:ItemDef[@OID='{item}']").get("Origin") == "Derived"


CODELISTS = [
    # OID, DataType, coded values (first three), Decode of the first
    (
        "CL.ECOG",
        "integer",
        ["0", "1", "2"],
        {"en": "0 - Fully active", "zh": "0 - 活动能力完全正常"},
    ),
    ("CL.SITE", "string", ["LUNG", "LIVER", "BONE"], {"en": "Lung", "zh": "肺"}),
    ("CL.CTCAE", "string", None, None),
    ("CL.NPC.MISSING", "string", ["ND", "UNK"], {"en": "Not done", "zh": "未做"}),
    ("CL.NPC.SDV", "string", ["verified"], {"en": "Verified", "zh": "已核查"}),
    ("CL.NPC.FLAGTYPE", "string", ["SDV", "MISSING", "FORM_STATUS"], None),
]


@pytest.mark.parametrize(("oid", "data_type", "codes", "decode"), CODELISTS)
def test_code_lists(
    metadata: tuple[Path, Any],
    oid: str,
    data_type: str,
    codes: list[str] | None,
    decode: dict[str, str] | None,
) -> None:
    _path, root = metadata
    codelist = one(root, f".//odm:CodeList[@OID='{oid}']")
    assert codelist.get("DataType") == data_type
    items = codelist.findall("odm:CodeListItem", NS)
    if codes is not None:
        assert [i.get("CodedValue") for i in items][: len(codes)] == codes
    if decode is not None:
        assert texts(items[0], "Decode") == decode


def test_a_built_in_code_list_is_written_in_full(metadata: tuple[Path, Any]) -> None:
    _path, root = metadata
    ctcae = one(root, ".//odm:CodeList[@OID='CL.CTCAE']")
    assert len(ctcae.findall("odm:CodeListItem", NS)) == len(odm_study().codelists["CTCAE"].items)
    assert aliases(ctcae) == {"npc-crf:source": "ctcae_v5"}


@pytest.mark.parametrize("folder", bundled_study_names())
def test_every_bundled_study_exports_valid_metadata(
    studies: dict[str, Study], folder: str, tmp_path: Path
) -> None:
    study = studies[folder]
    path = tmp_path / "meta.xml"
    write_odm(path, study, None, OdmOptions(site_ids=("S01",), metadata_only=True))
    assert problems(path) == []
    root = parse(path).getroot()
    defined = {i.get("OID") for i in root.iterfind(".//odm:ItemDef", NS)}
    assert len(defined) == sum(
        1 for form in study.forms.values() for item, _g in form.all_items() if holds_data(item)
    )
    forms = {f.get("OID") for f in root.iterfind(".//odm:FormDef", NS)}
    assert forms == {f"F.{oid}" for oid in study.forms}
