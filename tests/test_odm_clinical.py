"""ODM clinical data from the hand-made dataset (tests/data/odm/dataset.json).

The dataset has every data type, partial dates, missing-data codes, a removed row,
a voided and a valid signature, SDV marks (one current, one stale), queries at every
level, a soft warning kept with a reason, Chinese text, two sites and audit entries.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Any

import pytest

from npc_crf.core.errors import UsageError, ValidationFailed
from npc_crf.exchange.odm.reader import read_odm
from npc_crf.exchange.odm.writer import OdmReport
from tests.test_odm_support import NS, dataset, expected_values, export, parse, problems

S1, S2, S3 = "S01-01-0001", "S01-01-0002", "S02-01-0001"
LANG = "{http://www.w3.org/XML/1998/namespace}lang"


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, OdmReport, Any]:
    path = tmp_path_factory.mktemp("odm") / "site.xml"
    report = export(path)
    return path, report, parse(path).getroot()


def form_data(root: Any, subject: str, event: str, form: str, occurrence: int | None = None) -> Any:
    key = f"[@StudyEventRepeatKey='{occurrence}']" if occurrence else ""
    found = root.findall(
        f".//odm:SubjectData[@SubjectKey='{subject}']/odm:StudyEventData[@StudyEventOID='SE.{event}']"
        f"{key}/odm:FormData[@FormOID='F.{form}']",
        NS,
    )
    assert len(found) == 1, (subject, event, form, occurrence)
    return found[0]


def item_data(form: Any, item: str, row: int | None = None) -> Any:
    group = "[not(@ItemGroupRepeatKey)]" if row is None else f"[@ItemGroupRepeatKey='{row}']"
    found = form.xpath(f"odm:ItemGroupData{group}/*[@ItemOID='{item}']", namespaces=NS)
    assert len(found) == 1, (item, row)
    return found[0]


def local(element: Any) -> str:
    return str(element.tag).split("}")[1]


def annotation(root: Any, note_id: str) -> Any:
    found = root.findall(f".//odm:Annotation[@ID='{note_id}']", NS)
    assert len(found) == 1, note_id
    return found[0]


def flags(note: Any) -> list[tuple[str, str]]:
    return [
        (f.find("odm:FlagType", NS).text, f.find("odm:FlagValue", NS).text)
        for f in note.findall("odm:Flag", NS)
    ]


def test_the_export_is_valid_odm(exported: tuple[Path, OdmReport, Any]) -> None:
    path, report, root = exported
    assert problems(path) == []
    assert root.get("Granularity") == "All"
    assert [local(c) for c in root] == ["Study", "AdminData", "ClinicalData"]
    clinical = root.find("odm:ClinicalData", NS)
    assert (clinical.get("StudyOID"), clinical.get("MetaDataVersionOID")) == ("ODM-TEST", "MDV.2.1")
    assert report.clinical.skipped == []
    assert report.bytes == path.stat().st_size


def test_every_value_reads_back_as_it_is_stored(exported: tuple[Path, OdmReport, Any]) -> None:
    path, report, _root = exported
    content = read_odm(path)
    values, kinds = expected_values(dataset())
    assert content.values == values
    assert content.kinds == kinds
    assert content.subjects == [S1, S2, S3]
    assert report.clinical.values == len(values)
    assert report.clinical.missing == sum(1 for _v, missing in values.values() if missing)


TYPED = [
    # subject, event, occurrence, form, item, row → element, text
    (S1, "SCR", None, "ALLT", "VISDAT", None, "ItemDataDate", "2025-01-10"),
    (S1, "SCR", None, "ALLT", "DIAGDAT", None, "ItemDataPartialDate", "2024-03"),
    (S1, "SCR", None, "ALLT", "QUITDAT", None, "ItemDataPartialDate", "2020"),
    (S1, "SCR", None, "ALLT", "DOSETIM", None, "ItemDataTime", "14:05:00"),
    (S1, "SCR", None, "ALLT", "SAMPDTM", None, "ItemDataDatetime", "2025-01-10T08:30:15"),
    (S1, "SCR", None, "ALLT", "PACKYRS", None, "ItemDataFloat", "12.50"),
    (S1, "SCR", None, "ALLT", "AGE", None, "ItemDataInteger", "54"),
    (S1, "SCR", None, "ALLT", "ECOG", None, "ItemDataInteger", "1"),
    (S1, "SCR", None, "ALLT", "METS", None, "ItemDataString", "BONE,LUNG"),
    (S1, "SCR", None, "ALLT", "SMOKER", None, "ItemDataBoolean", "true"),
    (S1, "SCR", None, "ALLT", "HEAVY", None, "ItemDataBoolean", "false"),
    (S1, "SCR", None, "ALLT", "INITIALS", None, "ItemDataString", "王<&>\"'"),
    (
        S1,
        "SCR",
        None,
        "ALLT",
        "NOTES",
        None,
        "ItemDataString",
        "Line one\r\nLine two: 中文 & <tags>\n\ttabbed",
    ),
    (S1, "SCR", None, "LES", "TLSITE", 1, "ItemDataString", "LUNG"),
    (S1, "SCR", None, "LES", "TLDIAM", 1, "ItemDataFloat", "15.0"),
    (S1, "SCR", None, "LES", "TLSITE", 2, "ItemDataString", "BONE"),
    (S1, "CYCLE", 1, "LES", "TLDIAM", 1, "ItemDataFloat", "12.0"),
    (S1, "AELOG", None, "AE", "AETERM", 2, "ItemDataString", "10028813"),
    (S1, "AELOG", None, "AE", "AESTDAT", 1, "ItemDataPartialDate", "2025-02"),
]


@pytest.mark.parametrize(
    ("subject", "event", "occurrence", "form", "item", "row", "element", "text"), TYPED
)
def test_values_are_typed_item_data(
    exported: tuple[Path, OdmReport, Any],
    subject: str,
    event: str,
    occurrence: int | None,
    form: str,
    item: str,
    row: int | None,
    element: str,
    text: str,
) -> None:
    _path, _report, root = exported
    found = item_data(form_data(root, subject, event, form, occurrence), f"I.{form}.{item}", row)
    assert (local(found), found.text) == (element, text)


def test_no_untyped_item_data_and_units_on_values(exported: tuple[Path, OdmReport, Any]) -> None:
    _path, _report, root = exported
    assert root.findall(".//odm:ItemData", NS) == []
    diam = item_data(form_data(root, S1, "SCR", "LES"), "I.LES.TLDIAM", 1)
    assert diam.get("MeasurementUnitOID") == "MU.mm"


def test_a_missing_code_is_null_with_a_flag(exported: tuple[Path, OdmReport, Any]) -> None:
    _path, _report, root = exported
    weight = item_data(form_data(root, S1, "SCR", "ALLT"), "I.ALLT.WEIGHT")
    assert (local(weight), weight.get("IsNull"), weight.text) == ("ItemDataAny", "Yes", None)
    note = annotation(root, weight.get("AnnotationID"))
    assert note.getparent().tag.endswith("Annotations")  # the ClinicalData container
    assert flags(note) == [("MISSING", "ND")]


def test_removed_rows_are_not_exported(exported: tuple[Path, OdmReport, Any]) -> None:
    _path, _report, root = exported
    les = form_data(root, S1, "SCR", "LES")
    rows = les.findall("odm:ItemGroupData[@ItemGroupOID='IG.LES.TL']", NS)
    assert [r.get("ItemGroupRepeatKey") for r in rows] == ["1", "2"]
    texts = [e.text for e in root.find("odm:ClinicalData", NS).iter() if e.get("ItemOID")]
    assert "LIVER" not in texts and "22.5" not in texts  # the removed row's values


def test_repeat_keys_of_events(exported: tuple[Path, OdmReport, Any]) -> None:
    _path, _report, root = exported
    events = root.findall(f".//odm:SubjectData[@SubjectKey='{S1}']/odm:StudyEventData", NS)
    assert [(e.get("StudyEventOID"), e.get("StudyEventRepeatKey")) for e in events] == [
        ("SE.SCR", None),
        ("SE.CYCLE", "1"),
        ("SE.CYCLE", "2"),
        ("SE.CYCLE", "3"),  # not entered: it holds the query about the missing visit
        ("SE.AELOG", None),
    ]


def test_the_valid_signature_is_a_signature_and_the_voided_one_a_comment(
    exported: tuple[Path, OdmReport, Any],
) -> None:
    _path, report, root = exported
    allt = form_data(root, S1, "SCR", "ALLT")
    signatures = allt.findall("odm:Signature", NS)
    assert len(signatures) == 1 and report.clinical.signatures == 1
    sig = signatures[0]
    assert sig.get("ID") == "SG.s2"
    assert sig.find("odm:UserRef", NS).get("UserOID") == "USR.doctor"
    assert sig.find("odm:LocationRef", NS).get("LocationOID") == "LOC.S01"
    assert sig.find("odm:SignatureRef", NS).get("SignatureOID") == "SD.REVIEW"
    assert sig.find("odm:DateTimeStamp", NS).text == "2025-01-13T10:00:00.000000Z"
    assert "content_hash=" + "ab" * 32 in sig.find("odm:CryptoBindingManifest", NS).text
    comments = [c.text for c in allt.findall("odm:Annotation/odm:Comment", NS)]
    voided = [c for c in comments if c.startswith("Voided signature")]
    assert len(voided) == 1 and "APPROVE" in voided[0] and "AGE corrected" in voided[0]
    definitions = root.findall(".//odm:AdminData/odm:SignatureDef", NS)
    assert [(d.get("OID"), d.get("Methodology")) for d in definitions] == [
        ("SD.REVIEW", "Electronic"),
        ("SD.APPROVE", "Electronic"),
    ]
    assert definitions[0].find("odm:Meaning", NS).text == "I have reviewed these data"
    assert "Part 11" in definitions[0].find("odm:LegalReason", NS).text


SDV = [
    # form, item, row → flagged verified?
    ("ALLT", "VISDAT", None, True),
    ("ALLT", "AGE", None, False),  # the mark is of version 1; the value is at version 2
    ("LES", "TLSITE", 1, True),
    ("LES", "TLSITE", 2, False),
]


@pytest.mark.parametrize(("form", "item", "row", "verified"), SDV)
def test_sdv_marks_of_the_current_version_are_flags(
    exported: tuple[Path, OdmReport, Any], form: str, item: str, row: int | None, verified: bool
) -> None:
    _path, _report, root = exported
    value = item_data(form_data(root, S1, "SCR", form), f"I.{form}.{item}", row)
    note = value.get("AnnotationID")
    found = flags(annotation(root, note)) if note else []
    assert (("SDV", "verified") in found) is verified
    if verified:
        comment = annotation(root, note).find("odm:Comment", NS).text
        assert "verified by monitor" in comment


def test_a_kept_soft_warning_is_annotated(exported: tuple[Path, OdmReport, Any]) -> None:
    _path, _report, root = exported
    age = item_data(form_data(root, S2, "SCR", "ALLT"), "I.ALLT.AGE")
    comment = annotation(root, age.get("AnnotationID")).find("odm:Comment", NS).text
    assert comment == "Soft warning kept with the reason: Confirmed with the chart"


def test_values_point_at_their_latest_change(exported: tuple[Path, OdmReport, Any]) -> None:
    _path, _report, root = exported
    age = item_data(form_data(root, S1, "SCR", "ALLT"), "I.ALLT.AGE")
    record = root.find(f".//odm:AuditRecord[@ID='{age.get('AuditRecordID')}']", NS)
    assert record.get("EditPoint") == "DBAudit"
    source = record.find("odm:SourceID", NS).text
    assert source.endswith("#10 value_changed S01-01-0001/SCR[1]/ALLT/AGE")
    assert record.find("odm:ReasonForChange", NS).text == "typo: 45 → 54"
    assert record.find("odm:UserRef", NS).get("UserOID") == "USR.nurse"
    assert record.find("odm:DateTimeStamp", NS).text == "2025-01-11T09:00:00.000000Z"
    tlsite = item_data(form_data(root, S1, "SCR", "LES"), "I.LES.TLSITE", 1)
    assert tlsite.get("AuditRecordID") == "AR.S01-01.8"


def test_audit_records_are_the_entries_about_exported_subjects(
    exported: tuple[Path, OdmReport, Any],
) -> None:
    _path, report, root = exported
    entries = [e for e in dataset()["audit"] if e["subject_id"]]
    records = root.findall(".//odm:ClinicalData/odm:AuditRecords/odm:AuditRecord", NS)
    assert len(records) == len(entries) == report.clinical.audit_records
    sources = " ".join(r.find("odm:SourceID", NS).text for r in records)
    assert " login" not in sources and " logout" not in sources
    second_site = [
        r for r in records if r.find("odm:LocationRef", NS).get("LocationOID") == "LOC.S02"
    ]
    assert [r.get("ID") for r in second_site] == ["AR.S02-01.1"]


QUERIES = [
    # query uid prefix → the parent element (tag, identifying attribute), Comment side
    ("q1", ("ItemGroupData", "IG.ALLT"), "Site"),
    ("q2", ("ItemGroupData", "IG.LES.TL"), "Site"),
    ("q3", ("FormData", "F.LES"), "Site"),
    ("q4", ("StudyEventData", "SE.CYCLE"), "Sponsor"),
    ("q5", ("SubjectData", S2), "Sponsor"),
    ("q6", ("FormData", "F.LES"), "Site"),  # about a cell of a removed row
    ("q7", ("ItemGroupData", "IG.LES"), "Site"),
]


@pytest.mark.parametrize(("prefix", "parent", "side"), QUERIES)
def test_each_query_is_one_annotation_where_it_belongs(
    exported: tuple[Path, OdmReport, Any], prefix: str, parent: tuple[str, str], side: str
) -> None:
    _path, _report, root = exported
    query = next(q for q in dataset()["queries"] if q["uid"].startswith(prefix))
    note = annotation(root, f"QRY.{query['uid']}")
    holder = note.getparent()
    assert local(holder) == parent[0]
    assert parent[1] in holder.attrib.values()
    comment = note.find("odm:Comment", NS)
    assert comment.get("SponsorOrSite") == side
    assert query["messages"][-1]["text"] in comment.text
    assert f"({query['kind']}, {query['status']}" in comment.text
    assert flags(note) == [("QUERY", query["status"])]


def test_the_query_on_a_row_sits_on_that_row(exported: tuple[Path, OdmReport, Any]) -> None:
    _path, report, root = exported
    note = annotation(root, "QRY.q2-0000-4000-8000-000000000002")
    assert note.getparent().get("ItemGroupRepeatKey") == "2"
    assert report.clinical.queries == len(dataset()["queries"])


def test_subject_and_form_status_are_flags(exported: tuple[Path, OdmReport, Any]) -> None:
    _path, _report, root = exported
    subject = root.find(f".//odm:SubjectData[@SubjectKey='{S2}']", NS)
    first = subject.find("odm:Annotation", NS)
    assert flags(first) == [("SUBJECT_STATUS", "screen_failure")]
    assert "Age below 18 — 年龄不足" in first.find("odm:Comment", NS).text
    status = form_data(root, S1, "CYCLE", "LES", 2).find("odm:Annotation", NS)
    assert flags(status) == [("FORM_STATUS", "in_progress")]


def test_admin_data_has_users_sites_and_site_refs(exported: tuple[Path, OdmReport, Any]) -> None:
    _path, _report, root = exported
    users = {
        u.get("OID"): (
            u.get("UserType"),
            u.find("odm:FullName", NS).text,
            [r.get("LocationOID") for r in u.findall("odm:LocationRef", NS)],
        )
        for u in root.findall(".//odm:AdminData/odm:User", NS)
    }
    assert users["USR.doctor"] == ("Investigator", "Dai Doctor 戴医生", ["LOC.S01"])
    assert users["USR.nurse"] == ("Other", "Nora Nurse 王护士", ["LOC.S01"])
    assert users["USR.nurse2"] == ("Other", "Second Nurse", ["LOC.S02"])
    locations = root.findall(".//odm:AdminData/odm:Location", NS)
    assert [(loc.get("OID"), loc.get("LocationType")) for loc in locations] == [
        ("LOC.S01", "Site"),
        ("LOC.S02", "Site"),
    ]
    site_refs = {
        s.get("SubjectKey"): s.find("odm:SiteRef", NS).get("LocationOID")
        for s in root.findall(".//odm:SubjectData", NS)
    }
    assert site_refs == {S1: "LOC.S01", S2: "LOC.S01", S3: "LOC.S02"}


def test_one_subject_only(tmp_path: Path) -> None:
    path = tmp_path / "one.xml"
    report = export(path, subjects=frozenset({S2}))
    assert problems(path) == []
    content = read_odm(path)
    assert content.subjects == [S2]
    assert content.values == expected_values(dataset(), {S2})[0]
    assert report.clinical.audit_records == sum(
        1 for e in dataset()["audit"] if e["subject_id"] == S2
    )
    with pytest.raises(UsageError, match="no subject S09-01-0001"):
        export(tmp_path / "none.xml", subjects=frozenset({"S09-01-0001"}))


def test_a_subject_of_no_listed_site_is_refused(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="S02-01-0001 belongs to none of the sites"):
        export(tmp_path / "x.xml", site_ids=("S01", "S03"))


def test_the_same_data_give_the_same_bytes(tmp_path: Path) -> None:
    created = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    export(tmp_path / "a.xml", created_at=created, file_oid="F")
    export(tmp_path / "b.xml", created_at=created, file_oid="F")
    assert (tmp_path / "a.xml").read_bytes() == (tmp_path / "b.xml").read_bytes()


def test_what_the_definition_does_not_know_is_reported_not_written(tmp_path: Path) -> None:
    payload = dataset()
    payload["values"].append({**payload["values"][0], "item_oid": "GHOST", "form_uid": "f1"})
    payload["events"].append({**payload["events"][0], "uid": "e9", "event_oid": "NOPE"})
    path = tmp_path / "odd.xml"
    report = export(path, payload)
    assert problems(path) == []
    assert sorted(report.clinical.skipped) == [
        f"{S1}/NOPE[1]: event NOPE is not in the study definition",
        f"{S1}/SCR[1]/ALLT/GHOST: item GHOST is not in the form definition",
    ]


def test_text_xml_cannot_hold_is_replaced_and_the_rest_kept(tmp_path: Path) -> None:
    payload = dataset()
    notes = next(v for v in payload["values"] if v["item_oid"] == "NOTES")
    notes["value"] = "bell\x07 ]]> end\x00"
    path = tmp_path / "odd.xml"
    export(path, payload)
    assert problems(path) == []
    values = read_odm(path).values
    assert values[(S1, "SCR", 1, "ALLT", "", 0, "NOTES")] == ("bell\ufffd ]]> end\ufffd", None)


def test_a_failed_export_leaves_the_previous_file(tmp_path: Path) -> None:
    path = tmp_path / "site.xml"
    path.write_bytes(b"previous export")
    payload = dataset()
    payload["values"][0]["kind"] = "no-such-kind"
    with pytest.raises(ValueError, match="no-such-kind"):
        export(path, payload)
    assert path.read_bytes() == b"previous export"
    assert os.listdir(tmp_path) == ["site.xml"]  # no temporary file left behind
    with pytest.raises(UsageError, match="cannot be written"):
        export(tmp_path / "missing-folder" / "site.xml")


def test_a_malformed_dataset_is_refused_with_where(tmp_path: Path) -> None:
    payload = dataset()
    del payload["values"][3]["kind"]
    del payload["rows"]
    payload["signatures"][1] = "not a record"
    with pytest.raises(ValidationFailed) as refused:
        export(tmp_path / "bad.xml", payload)
    assert refused.value.problems == [
        "payload.rows: missing, or not a list",
        "payload.values[3]: no field kind",
        "payload.signatures[1]: not an object",
    ]
    assert not (tmp_path / "bad.xml").exists()
