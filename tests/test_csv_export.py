"""CSV exports (docs/csv-export.md) of a hand-made two-site dataset.

The dataset (``tests/data/csv_export/payloads.json``) follows the site-data
payload of docs/bundle-format.md §3 and the study in
``tests/data/csv_export/study`` uses every item type: every kind of stored
value, a missing code, a partial date, a repeating group with a deleted row,
Chinese text, and cells that begin with ``=``, ``-`` and ``@``.
The helpers at the top (reading the files back, checking that the wide and the
long files agree) are also used by ``tests/test_csv_export_cli.py``.
"""

from __future__ import annotations

import copy
import csv
import hashlib
import io
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from npc_crf.core.errors import UsageError
from npc_crf.exchange.csv_out import CsvLayout, CsvOptions, DatasetError, export_csv
from npc_crf.exchange.csv_out import tables as tables_module
from npc_crf.exchange.csv_out.cells import neutralise, restore
from npc_crf.exchange.csv_out.layout import (
    CHOICE_SEPARATOR,
    FORM_KEYS,
    MISSING_SUFFIX,
    ROW_KEYS,
    code_name,
)
from npc_crf.forms.canonical import form_hash
from npc_crf.forms.loader import load_study
from npc_crf.forms.model import Study

DATA = Path(__file__).resolve().parent / "data" / "csv_export"
BOM = b"\xef\xbb\xbf"

# -- reading an export back (shared with test_csv_export_cli.py) ------------------------------

Key = tuple[
    str, str, str, str, str, str, str, str
]  # site, subject, event, occ, form, group, row, item


def read_csv(path: Path) -> list[dict[str, str]]:
    """The rows of an export CSV as dicts, cells restored (the apostrophe rule undone)."""
    raw = path.read_bytes()
    assert raw.startswith(BOM), f"{path.name} has no byte-order mark"
    reader = csv.reader(io.StringIO(raw[len(BOM) :].decode("utf-8"), newline=""))
    header, *rows = list(reader)
    assert all(len(r) == len(header) for r in rows), path.name
    return [dict(zip(header, (restore(c) for c in r), strict=True)) for r in rows]


def header_of(path: Path) -> list[str]:
    """The header row of an export CSV."""
    text = path.read_bytes()[len(BOM) :].decode("utf-8")
    return next(csv.reader(io.StringIO(text, newline="")))


def long_values(folder: Path) -> dict[Key, tuple[str, str]]:
    """long.csv as key → (value, missing_code)."""
    found: dict[Key, tuple[str, str]] = {}
    for r in read_csv(folder / "long.csv"):
        key = (
            r["site_id"],
            r["subject_id"],
            r["event_oid"],
            r["occurrence"],
            r["form_oid"],
            r["group_oid"],
            r["row_uid"],
            r["item_oid"],
        )
        assert key not in found, key
        found[key] = (r["value"], r["missing_code"])
    return found


def wide_values(folder: Path) -> dict[Key, tuple[str, str]]:
    """Every wide file as key → (value, missing_code); multiple-choice dummies checked
    against the value column on the way."""
    found: dict[Key, tuple[str, str]] = {}
    for path in sorted((folder / "wide").glob("*.csv")):
        form, _, group = path.stem.partition("__")
        header = header_of(path)
        keys = len(FORM_KEYS) + (len(ROW_KEYS) if group else 0)
        items = [
            c for c in header[keys:] if not c.endswith(MISSING_SUFFIX) and CHOICE_SEPARATOR not in c
        ]
        for r in read_csv(path):
            for item in items:
                dummies = {
                    c[len(item) + len(CHOICE_SEPARATOR) :]: r[c]
                    for c in header
                    if c.startswith(item + CHOICE_SEPARATOR)
                }
                value, missing = r[item], r.get(item + MISSING_SUFFIX, "")
                if dummies and any(dummies.values()):
                    chosen = {code_name(c) for c in value.split("|") if c}
                    assert {n for n, v in dummies.items() if v == "1"} == chosen, (path, item)
                    assert set(dummies.values()) <= {"0", "1"}
                elif not value and not missing:
                    continue
                key = (
                    r["site_id"],
                    r["subject_id"],
                    r["event_oid"],
                    r["occurrence"],
                    form,
                    group,
                    r.get("row_uid", ""),
                    item,
                )
                found[key] = (value, missing)
    return found


def assert_wide_and_long_agree(folder: Path) -> int:
    """The wide files and long.csv hold the same values; returns how many."""
    long, wide = long_values(folder), wide_values(folder)
    assert set(long) == set(wide), (
        sorted(set(long) - set(wide))[:5],
        sorted(set(wide) - set(long))[:5],
    )
    assert long == wide
    return len(long)


def expected_cell(kind: str | None, text: str | None) -> str:
    """A stored value as docs/csv-export.md says the export shows it (written apart from
    the exporter, to compare with it)."""
    if kind is None or text is None:
        return ""
    if kind == "bool":
        return {"true": "1", "false": "0"}[text]
    if kind == "code":
        return str(json.loads(text))
    if kind == "codes":
        return "|".join(str(c) for c in json.loads(text))
    return text


# -- the hand-made dataset ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def study() -> Study:
    return load_study(DATA / "study")


def _payloads(study: Study) -> list[dict[str, Any]]:
    """The fixture payloads; ``definition_hash: current`` becomes the form's real hash."""
    payloads: list[dict[str, Any]] = json.loads((DATA / "payloads.json").read_text("utf-8"))
    for payload in payloads:
        for form in payload["forms"]:
            if form["definition_hash"] == "current":
                form["definition_hash"] = form_hash(study, study.forms[form["form_oid"]])
    return payloads


@pytest.fixture
def payloads(study: Study) -> list[dict[str, Any]]:
    return _payloads(study)


@pytest.fixture(scope="module")
def exported(study: Study, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The default export (both layouts, codes) of the hand-made dataset."""
    out = tmp_path_factory.mktemp("csv") / "export"
    export_csv(study, _payloads(study), out)
    return out


def _by(rows: list[dict[str, str]], **match: str) -> list[dict[str, str]]:
    return [r for r in rows if all(r[k] == v for k, v in match.items())]


# -- long ------------------------------------------------------------------------------------

#: (subject, event, occurrence, form, row uid, item) → (kind, value, value_label, missing_code)
LONG_CASES: list[tuple[tuple[str, ...], tuple[str, str, str, str]]] = [
    (("S01-01-0001", "SCR", "1", "DEMO", "", "INITIALS"), ("text", "ZSF", "", "")),
    (("S01-01-0001", "SCR", "1", "DEMO", "", "VISDAT"), ("date", "2026-03-05", "", "")),
    (("S01-01-0001", "SCR", "1", "DEMO", "", "VISTIM"), ("time", "09:30", "", "")),
    (
        ("S01-01-0001", "SCR", "1", "DEMO", "", "SAMPDTM"),
        ("datetime", "2026-03-05T10:15:30", "", ""),
    ),
    (("S01-01-0001", "SCR", "1", "DEMO", "", "DIAGDAT"), ("pdate", "2024-03", "", "")),
    (("S01-01-0001", "SCR", "1", "DEMO", "", "AGE"), ("int", "54", "", "")),
    (("S01-01-0001", "SCR", "1", "DEMO", "", "WEIGHT"), ("", "", "", "ND")),
    (("S01-01-0001", "SCR", "1", "DEMO", "", "TEMPC"), ("dec", "-1.50", "", "")),
    (("S01-01-0001", "SCR", "1", "DEMO", "", "BMI"), ("dec", "31.2", "", "")),
    (("S01-01-0001", "SCR", "1", "DEMO", "", "SEX"), ("code", "F", "Female", "")),
    (("S01-01-0001", "SCR", "1", "DEMO", "", "ECOG"), ("code", "1", "1 - Restricted", "")),
    (
        ("S01-01-0001", "SCR", "1", "DEMO", "", "METS"),
        ("codes", "BONE|LUNG", "Bone, spine included|Lung", ""),
    ),
    (("S01-01-0001", "SCR", "1", "DEMO", "", "SMOKER"), ("bool", "1", "Yes", "")),
    (("S01-01-0001", "SCR", "1", "DEMO", "", "TERM"), ("code", "IV", "Intravenous", "")),
    (
        ("S01-01-0001", "SCR", "1", "DEMO", "", "COMMENT"),
        ("text", '=SUM(A1:A9) 备注，第一行\n第二行 "quoted"', "", ""),
    ),
    (("S01-01-0001", "SCR", "1", "DEMO", "", "SCAN"), ("text", "scan-001.pdf", "", "")),
    (("S01-01-0001", "SCR", "1", "MEDS", "", "CMCOUNT"), ("int", "2", "", "")),
    (("S01-01-0001", "SCR", "1", "MEDS", "r-01", "CMTRT"), ("text", "对乙酰氨基酚", "", "")),
    (("S01-01-0001", "SCR", "1", "MEDS", "r-01", "CMSTDAT"), ("pdate", "2025", "", "")),
    (("S01-01-0001", "SCR", "1", "MEDS", "r-03", "CMTRT"), ("text", "@import, 'x'", "", "")),
    (("S01-01-0001", "SCR", "1", "MEDS", "r-03", "CMSTDAT"), ("", "", "", "UNK")),
    (("S01-01-0001", "CYCLE", "2", "DOSE", "", "DOSEMG"), ("dec", "150.0", "", "")),
    (("S01-01-0002", "SCR", "1", "DEMO", "", "METS"), ("codes", "", "", "")),
    (("S01-01-0002", "SCR", "1", "DEMO", "", "SMOKER"), ("bool", "0", "No", "")),
    (("S02-01-0001", "SCR", "1", "DEMO", "", "INITIALS"), ("text", "-LW", "", "")),
]


@pytest.mark.parametrize(("where", "expected"), LONG_CASES, ids=lambda x: "/".join(x)[:60])
def test_long_file_shows_each_kind_of_value(
    exported: Path, where: tuple[str, ...], expected: tuple[str, str, str, str]
) -> None:
    subject, event, occurrence, form, row_uid, item = where
    rows = _by(
        read_csv(exported / "long.csv"),
        subject_id=subject,
        event_oid=event,
        occurrence=occurrence,
        form_oid=form,
        row_uid=row_uid,
        item_oid=item,
    )
    assert len(rows) == 1
    row = rows[0]
    assert (row["kind"], row["value"], row["value_label"], row["missing_code"]) == expected
    assert row["site_id"] == subject[:3]


def test_long_file_has_one_row_per_exported_value_and_nothing_removed(
    exported: Path, payloads: list[dict[str, Any]]
) -> None:
    rows = read_csv(exported / "long.csv")
    stored = [v for p in payloads for v in p["values"]]
    deleted_rows = {r["uid"] for p in payloads for r in p["rows"] if r["deleted"]}
    cleared = [v for v in stored if v["kind"] is None and v["missing_code"] is None]
    on_deleted = [v for v in stored if v["row_uid"] in deleted_rows]
    assert len(cleared) == 1 and len(on_deleted) == 2
    assert len(rows) == len(stored) - len(cleared) - len(on_deleted)
    everything = b"".join(p.read_bytes() for p in exported.rglob("*") if p.is_file())
    assert b"Wrong drug" not in everything  # the deleted row's value
    manifest = json.loads((exported / "manifest.json").read_text("utf-8"))
    assert manifest["left_out"] == {"values_on_deleted_rows": 2, "cleared_values": 1}


def test_long_file_columns_versions_and_sdv(exported: Path) -> None:
    assert header_of(exported / "long.csv") == list(tables_module.LONG_HEADER)
    rows = read_csv(exported / "long.csv")
    demo = {r["item_oid"]: r for r in _by(rows, subject_id="S01-01-0001", form_oid="DEMO")}
    assert demo["VISDAT"]["sdv_verified"] == "1"  # the mark is for the current version
    assert (demo["AGE"]["version"], demo["AGE"]["sdv_verified"]) == ("2", "0")  # changed since
    assert demo["SEX"]["sdv_verified"] == "0"
    dose = _by(rows, form_oid="DOSE", occurrence="1", item_oid="DOSEMG")[0]
    assert (dose["updated_by"], dose["form_status"], dose["form_version"]) == (
        "doctor",
        "complete",
        "1.0",
    )
    row = _by(rows, row_uid="r-03", item_oid="CMTRT")[0]
    assert (row["group_oid"], row["row_position"]) == ("CM", "2")


def test_long_rows_are_sorted_by_subject_schedule_and_definition(exported: Path) -> None:
    rows = read_csv(exported / "long.csv")
    subjects = [r["subject_id"] for r in rows]
    assert subjects == sorted(subjects)
    first = [(r["event_oid"], r["occurrence"], r["form_oid"]) for r in rows]
    s1 = list(
        dict.fromkeys(
            f for f, r in zip(first, rows, strict=True) if r["subject_id"] == "S01-01-0001"
        )
    )
    assert s1 == [
        ("SCR", "1", "MEDS"),  # the event lists MEDS first
        ("SCR", "1", "DEMO"),
        ("CYCLE", "1", "DOSE"),
        ("CYCLE", "2", "DOSE"),
    ]
    demo = [r["item_oid"] for r in _by(rows, subject_id="S01-01-0001", form_oid="DEMO")]
    assert demo[:4] == ["INITIALS", "VISDAT", "VISTIM", "SAMPDTM"]
    meds = [(r["row_position"], r["item_oid"]) for r in _by(rows, form_oid="MEDS")]
    assert meds == [
        ("", "CMYN"),
        ("1", "CMTRT"),
        ("1", "CMROUTE"),
        ("1", "CMSTDAT"),
        ("1", "CMDOSE"),
        ("2", "CMTRT"),
        ("2", "CMROUTE"),
        ("2", "CMSTDAT"),
        ("", "CMCOUNT"),
    ]


# -- wide ------------------------------------------------------------------------------------


def test_wide_form_file_has_keys_items_missing_and_choice_columns(exported: Path) -> None:
    assert header_of(exported / "wide" / "DEMO.csv") == [
        *FORM_KEYS,
        "INITIALS",  # no missing codes allowed: no __missing column
        "VISDAT", "VISDAT__missing",
        "VISTIM", "VISTIM__missing",
        "SAMPDTM", "SAMPDTM__missing",
        "DIAGDAT", "DIAGDAT__missing",
        "AGE", "AGE__missing",
        "WEIGHT", "WEIGHT__missing",
        "TEMPC", "TEMPC__missing",
        "BMI",  # calculated: never missing
        "SEX", "SEX__missing",
        "ECOG", "ECOG__missing",
        "METS", "METS___LUNG", "METS___LIVER", "METS___BONE", "METS__missing",
        "SMOKER", "SMOKER__missing",
        "PACKYRS", "PACKYRS__missing",
        "TERM", "TERM__missing",
        "COMMENT", "COMMENT__missing",
        "SCAN", "SCAN__missing",
    ]  # fmt: skip
    assert all(c.isidentifier() for c in header_of(exported / "wide" / "DEMO.csv"))


WIDE_DEMO_S01 = {
    "site_id": "S01",
    "subject_id": "S01-01-0001",
    "event_oid": "SCR",
    "occurrence": "1",
    "form_status": "complete",
    "form_version": "1.2",
    "INITIALS": "ZSF",
    "VISDAT": "2026-03-05",
    "VISTIM": "09:30",
    "SAMPDTM": "2026-03-05T10:15:30",
    "DIAGDAT": "2024-03",
    "AGE": "54",
    "WEIGHT": "",
    "WEIGHT__missing": "ND",
    "TEMPC": "-1.50",
    "BMI": "31.2",
    "SEX": "F",
    "ECOG": "1",
    "METS": "BONE|LUNG",
    "METS___LUNG": "1",
    "METS___LIVER": "0",
    "METS___BONE": "1",
    "METS__missing": "",
    "SMOKER": "1",
    "PACKYRS": "20",
    "TERM": "IV",
    "COMMENT": '=SUM(A1:A9) 备注，第一行\n第二行 "quoted"',
    "SCAN": "scan-001.pdf",
    "AGE__missing": "",
}


def test_wide_form_row_holds_the_values_as_stored(exported: Path) -> None:
    rows = read_csv(exported / "wide" / "DEMO.csv")
    assert [(r["site_id"], r["subject_id"]) for r in rows] == [
        ("S01", "S01-01-0001"),
        ("S01", "S01-01-0002"),
        ("S02", "S02-01-0001"),
    ]
    row = rows[0]
    assert {k: row[k] for k in WIDE_DEMO_S01} == WIDE_DEMO_S01
    empty_set = rows[1]  # multiple choice answered with no code: 0s, not blanks
    assert [empty_set[c] for c in ("METS", "METS___LUNG", "METS___LIVER", "METS___BONE")] == [
        "",
        "0",
        "0",
        "0",
    ]
    assert rows[2]["METS___LUNG"] == ""  # not answered at all


def test_repeating_group_file_leaves_out_deleted_rows(exported: Path) -> None:
    path = exported / "wide" / "MEDS__CM.csv"
    assert header_of(path)[: len(FORM_KEYS) + 2] == [*FORM_KEYS, *ROW_KEYS]
    rows = read_csv(path)
    assert [(r["row_position"], r["row_uid"], r["CMTRT"]) for r in rows] == [
        ("1", "r-01", "对乙酰氨基酚"),
        ("2", "r-03", "@import, 'x'"),
    ]
    assert (rows[1]["CMSTDAT"], rows[1]["CMSTDAT__missing"]) == ("", "UNK")
    meds = read_csv(exported / "wide" / "MEDS.csv")
    assert [(r["CMYN"], r["CMCOUNT"]) for r in meds] == [("1", "2")]


def test_every_form_has_its_files_even_without_data(exported: Path, study: Study) -> None:
    names = sorted(p.name for p in (exported / "wide").iterdir())
    assert names == ["DEMO.csv", "DOSE.csv", "MEDS.csv", "MEDS__CM.csv"]
    assert [r["occurrence"] for r in read_csv(exported / "wide" / "DOSE.csv")] == ["1", "2"]


def test_wide_and_long_files_agree(exported: Path) -> None:
    assert assert_wide_and_long_agree(exported) == len(read_csv(exported / "long.csv"))


def test_labels_replace_codes_in_english_or_chinese(
    study: Study, payloads: list[dict[str, Any]], tmp_path: Path
) -> None:
    export_csv(study, payloads, tmp_path / "en", CsvOptions(labels=True))
    export_csv(study, payloads, tmp_path / "zh", CsvOptions(labels=True, lang="zh"))
    en = read_csv(tmp_path / "en" / "wide" / "DEMO.csv")[0]
    zh = read_csv(tmp_path / "zh" / "wide" / "DEMO.csv")[0]
    columns = ("SEX", "ECOG", "METS", "SMOKER", "TERM", "WEIGHT__missing", "METS___BONE", "AGE")
    assert [en[c] for c in columns] == [
        "Female",
        "1 - Restricted",
        "Bone, spine included|Lung",
        "Yes",
        "Intravenous",
        "Not done",
        "1",
        "54",
    ]
    assert [zh[c] for c in columns] == [
        "女",
        "1 - 活动受限",
        "骨（含脊柱）|肺",
        "是",
        "静脉",
        "未做",
        "1",
        "54",
    ]
    long_zh = _by(read_csv(tmp_path / "zh" / "long.csv"), item_oid="SEX", subject_id="S01-01-0001")
    assert (long_zh[0]["value"], long_zh[0]["value_label"]) == ("F", "女")


# -- dictionary and code lists ---------------------------------------------------------------

#: item OID → the dictionary cells it must have
DICTIONARY_CASES: list[tuple[str, dict[str, str]]] = [
    (
        "AGE",
        {
            "form_oid": "DEMO",
            "section_oid": "MAIN",
            "field_type": "integer",
            "data_type": "integer",
            "label_en": "Age",
            "label_zh": "年龄",
            "units_en": "years",
            "units_zh": "岁",
            "hard_min": "0",
            "hard_max": "120",
            "soft_min": "18",
            "soft_max": "75",
            "required": "yes",
            "missing_codes": "ND UNK",
            "wide_file": "wide/DEMO.csv",
            "wide_columns": "AGE AGE__missing",
        },
    ),
    (
        "WEIGHT",
        {"data_type": "decimal", "precision": "2", "units_en": "kg", "missing_codes": "ND"},
    ),
    ("VISDAT", {"data_type": "date", "hard_min": "2020-01-01", "sdv": "yes"}),
    ("DIAGDAT", {"field_type": "partial_date", "data_type": "partial_date"}),
    ("SAMPDTM", {"data_type": "datetime"}),
    ("VISTIM", {"data_type": "time"}),
    (
        "SEX",
        {
            "codelist": "SEX",
            "data_type": "text",
            "choices_en": "M, Male | F, Female",
            "choices_zh": "M, 男 | F, 女",
            "section_oid": "HIST",
            "section_relevant": "AGE >= 18",
        },
    ),
    (
        "ECOG",
        {
            "codelist": "ECOG",
            "data_type": "integer",
            "choices_en": "0, 0 - Fully active | 1, 1 - Restricted | 2, 2 - Ambulatory",
        },
    ),
    (
        "METS",
        {
            "field_type": "multiple_choice",
            "data_type": "codes",
            "wide_columns": "METS METS___LUNG METS___LIVER METS___BONE METS__missing",
        },
    ),
    ("SMOKER", {"codelist": "_YESNO", "data_type": "boolean", "choices_en": "1, Yes | 0, No"}),
    ("PACKYRS", {"relevant": "SMOKER", "required": "yes"}),
    ("TERM", {"field_type": "lookup", "codelist": "ROUTE"}),
    ("COMMENT", {"checks": "soft: length(.) <= 500"}),
    ("SCAN", {"field_type": "file", "data_type": "text"}),
    (
        "BMI",
        {
            "field_type": "calculated",
            "data_type": "decimal",
            "calculation": "WEIGHT / 2",
            "missing_codes": "",
            "required": "",
            "note": "calculated by the program, never entered",
        },
    ),
    ("INITIALS", {"identifier": "yes", "missing_codes": "", "max_length": "4"}),
    (
        "CM",
        {
            "field_type": "group",
            "group_oid": "CM",
            "relevant": "CMYN",
            "wide_file": "wide/MEDS__CM.csv",
        },
    ),
    ("CMTRT", {"group_oid": "CM", "wide_file": "wide/MEDS__CM.csv", "label_zh": "药物名称"}),
    ("CMCOUNT", {"group_oid": "", "data_type": "integer", "calculation": "count(CM)"}),
]


@pytest.mark.parametrize(("item", "cells"), DICTIONARY_CASES, ids=[c[0] for c in DICTIONARY_CASES])
def test_dictionary_describes_each_item(exported: Path, item: str, cells: dict[str, str]) -> None:
    rows = _by(read_csv(exported / "dictionary.csv"), item_oid=item)
    assert len(rows) == 1
    assert {k: rows[0][k] for k in cells} == cells


def test_dictionary_lists_every_data_item_in_order(exported: Path, study: Study) -> None:
    rows = read_csv(exported / "dictionary.csv")
    expected = [
        (form, item.oid)
        for form in ("MEDS", "DEMO", "DOSE")  # schedule order
        for item, _g in study.forms[form].all_items()
        if item.type.value != "note"
    ]
    assert [(r["form_oid"], r["item_oid"]) for r in rows] == expected
    assert [r["order"] for r in rows if r["form_oid"] == "DEMO"][:3] == ["1", "2", "3"]
    # every wide column named in the dictionary exists in that file
    for r in rows:
        if r["wide_columns"]:
            assert set(r["wide_columns"].split()) <= set(header_of(exported / r["wide_file"]))


def test_codelists_file_has_every_used_list_yes_no_and_missing_codes(exported: Path) -> None:
    rows = read_csv(exported / "codelists.csv")
    lists = list(dict.fromkeys(r["codelist"] for r in rows))
    assert lists == ["ECOG", "METS", "ROUTE", "SEX", "_YESNO", "_MISSING"]
    assert [(r["code"], r["label_en"], r["label_zh"]) for r in _by(rows, codelist="_MISSING")] == [
        ("ND", "Not done", "未做"),
        ("UNK", "Unknown", "未知"),
    ]
    assert [r["code"] for r in _by(rows, codelist="ECOG")] == ["0", "1", "2"]


# -- the file format -------------------------------------------------------------------------


def test_every_csv_is_utf8_with_bom_crlf_and_rfc4180_quoting(exported: Path) -> None:
    for path in exported.rglob("*.csv"):
        raw = path.read_bytes()
        assert raw.startswith(BOM), path.name
        raw.decode("utf-8")
        body = raw.replace(b"\r\n", b"")
        if path.name not in ("long.csv", "DEMO.csv"):  # only the comment holds a line break
            assert b"\n" not in body and b"\r" not in body, path.name
    wide = (exported / "wide" / "DEMO.csv").read_bytes()
    assert '"\'=SUM(A1:A9) 备注，第一行\n第二行 ""quoted"""'.encode() in wide


CELL_CASES = [
    ("=SUM(A1)", "'=SUM(A1)"),
    ("+cmd", "'+cmd"),
    ("-LW", "'-LW"),
    ("@import", "'@import"),
    ("\tx", "'\tx"),
    ("\rx", "'\rx"),
    ("＝1+1", "'＝1+1"),
    ("'quoted", "''quoted"),
    ("-", "'-"),
    ("-1.5", "-1.5"),
    ("-12", "-12"),
    ("+3", "+3"),
    ("-2.5E+3", "-2.5E+3"),
    ("2024-03", "2024-03"),
    ("a=b", "a=b"),
    ("", ""),
    ("对乙酰氨基酚", "对乙酰氨基酚"),
]


@pytest.mark.parametrize(("cell", "safe"), CELL_CASES)
def test_cells_are_neutralised_for_spreadsheets_and_restorable(cell: str, safe: str) -> None:
    assert neutralise(cell) == safe
    assert restore(neutralise(cell)) == cell


def test_neutralised_cells_in_the_files(exported: Path) -> None:
    text = (exported / "long.csv").read_bytes().decode("utf-8")
    assert ",'-LW," in text
    assert "\"'@import, 'x'\"" in text
    assert ",-1.50," in text  # a negative number is left alone
    assert ",'=SUM" not in text  # quoted: the cell holds a line break
    assert "\"'=SUM(A1:A9)" in text


# -- the folder, the manifest, determinism ---------------------------------------------------


def test_manifest_describes_study_sites_and_every_file(exported: Path, study: Study) -> None:
    manifest = json.loads((exported / "manifest.json").read_text("utf-8"))
    assert manifest["format"] == "npc-crf/csv-export"
    assert manifest["study"]["oid"] == "CSVX" and manifest["study"]["version"] == "2.1"
    assert manifest["sites"] == ["S01", "S02"]
    assert manifest["counts"]["subjects"] == 3
    listed = {f["path"]: f for f in manifest["files"]}
    on_disk = {p.relative_to(exported).as_posix() for p in exported.rglob("*") if p.is_file()} - {
        "manifest.json"
    }
    assert set(listed) == on_disk
    for rel, entry in listed.items():
        data = (exported / rel).read_bytes()
        assert entry["sha256"] == hashlib.sha256(data).hexdigest()
        assert entry["bytes"] == len(data)
        if rel.endswith(".csv"):
            assert entry["rows"] == len(read_csv(exported / rel))
    readme = (exported / "README.txt").read_text("utf-8")
    assert "CSV export of study CSVX version 2.1" in readme and "Sites: S01, S02" in readme


def test_a_form_saved_under_another_definition_is_reported(exported: Path) -> None:
    manifest = json.loads((exported / "manifest.json").read_text("utf-8"))
    assert len(manifest["warnings"]) == 1
    assert manifest["warnings"][0].startswith("Form DEMO: 1 instance(s) were saved under another")


def test_two_exports_of_the_same_data_are_identical_but_for_the_time(
    study: Study, payloads: list[dict[str, Any]], tmp_path: Path
) -> None:
    export_csv(study, payloads, tmp_path / "a")
    shuffled = copy.deepcopy(payloads)
    for payload in shuffled:  # the order records arrive in does not matter
        for key in ("values", "forms", "events", "rows", "subjects"):
            payload[key].reverse()
    export_csv(study, list(reversed(shuffled)), tmp_path / "b")
    files = sorted(
        p.relative_to(tmp_path / "a") for p in (tmp_path / "a").rglob("*") if p.is_file()
    )
    for rel in files:
        a, b = (tmp_path / "a" / rel).read_bytes(), (tmp_path / "b" / rel).read_bytes()
        if rel.name == "manifest.json":
            da, db = json.loads(a), json.loads(b)
            da.pop("created_at"), db.pop("created_at")
            assert da == db
        else:
            assert a == b, rel


def test_an_existing_folder_is_never_written_into(
    study: Study, payloads: list[dict[str, Any]], tmp_path: Path
) -> None:
    (tmp_path / "out").mkdir()
    with pytest.raises(UsageError, match="already exists"):
        export_csv(study, payloads, tmp_path / "out")
    assert list((tmp_path / "out").iterdir()) == []


def test_a_failed_export_leaves_no_folder_and_no_partial_files(
    study: Study, payloads: list[dict[str, Any]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from npc_crf.exchange.csv_out import export as export_module

    def failing(*args: object, **kwargs: object) -> Any:
        yield ["half", "a", "row"]
        raise OSError("disk full")

    monkeypatch.setattr(export_module, "wide_rows", failing)
    with pytest.raises(OSError, match="disk full"):
        export_csv(study, payloads, tmp_path / "out")
    assert list(tmp_path.iterdir()) == []


def test_files_are_private_to_the_owner(exported: Path) -> None:
    assert exported.stat().st_mode & 0o077 == 0
    assert all(p.stat().st_mode & 0o077 == 0 for p in exported.rglob("*"))


# -- options ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("layout", "long", "wide"),
    [(CsvLayout.WIDE, False, True), (CsvLayout.LONG, True, False), (CsvLayout.BOTH, True, True)],
)
def test_layout_chooses_the_data_files(
    study: Study,
    payloads: list[dict[str, Any]],
    tmp_path: Path,
    layout: CsvLayout,
    long: bool,
    wide: bool,
) -> None:
    export_csv(study, payloads, tmp_path / "out", CsvOptions(layout=layout))
    assert (tmp_path / "out" / "long.csv").exists() is long
    assert (tmp_path / "out" / "wide").exists() is wide
    for name in ("dictionary.csv", "codelists.csv", "subjects.csv", "README.txt", "manifest.json"):
        assert (tmp_path / "out" / name).exists()


def test_subjects_can_be_chosen(
    study: Study, payloads: list[dict[str, Any]], tmp_path: Path
) -> None:
    export_csv(study, payloads, tmp_path / "one", CsvOptions(subjects=("S01-01-0002",)))
    subjects = read_csv(tmp_path / "one" / "subjects.csv")
    assert subjects == [
        {
            "site_id": "S01",
            "subject_id": "S01-01-0002",
            "status": "screen_failure",
            "status_date": "2026-03-07",
            "status_reason": "Withdrew consent, moved away",
        }
    ]
    assert {r["subject_id"] for r in read_csv(tmp_path / "one" / "long.csv")} == {"S01-01-0002"}
    with pytest.raises(UsageError, match="no subject S09-01-0001"):
        export_csv(study, payloads, tmp_path / "none", CsvOptions(subjects=("S09-01-0001",)))
    assert not (tmp_path / "none").exists()


def test_protected_health_information_can_be_left_out(
    study: Study, payloads: list[dict[str, Any]], tmp_path: Path
) -> None:
    export_csv(study, payloads, tmp_path / "out", CsvOptions(strip_phi=True))
    assert "INITIALS" not in header_of(tmp_path / "out" / "wide" / "DEMO.csv")
    assert not _by(read_csv(tmp_path / "out" / "long.csv"), item_oid="INITIALS")
    everything = b"".join(p.read_bytes() for p in (tmp_path / "out").rglob("*.csv"))
    assert b"ZSF" not in everything and b"-LW" not in everything
    row = _by(read_csv(tmp_path / "out" / "dictionary.csv"), item_oid="INITIALS")[0]
    assert (row["wide_columns"], row["identifier"]) == ("", "yes")
    assert row["note"].startswith("withheld")
    assert_wide_and_long_agree(tmp_path / "out")


def test_values_the_definition_does_not_know_are_kept_with_a_warning(
    study: Study, payloads: list[dict[str, Any]], tmp_path: Path
) -> None:
    extra = dict(payloads[0]["values"][0], form_uid="f-01", row_uid="", item_oid="XTRA")
    extra |= {"kind": "text", "value": "kept", "missing_code": None}
    payloads[0]["values"].append(extra)
    report = export_csv(study, payloads, tmp_path / "out")
    assert any(w.startswith("DEMO.XTRA:") for w in report.warnings)
    assert header_of(tmp_path / "out" / "wide" / "DEMO.csv")[-1] == "XTRA"
    assert read_csv(tmp_path / "out" / "wide" / "DEMO.csv")[0]["XTRA"] == "kept"
    row = _by(read_csv(tmp_path / "out" / "dictionary.csv"), item_oid="XTRA")[0]
    assert row["note"].startswith("not in study CSVX version 2.1")
    assert_wide_and_long_agree(tmp_path / "out")


# -- payloads that are not shaped as §3 ------------------------------------------------------

Mutation = Callable[[list[dict[str, Any]]], None]


def _at(path: tuple[str | int, ...], payloads: list[dict[str, Any]]) -> Any:
    target: Any = payloads
    for step in path:
        target = target[step]
    return target


def _set(path: tuple[str | int, ...], value: object) -> Mutation:
    return lambda payloads: _at(path[:-1], payloads).__setitem__(path[-1], value)


def _drop(path: tuple[str | int, ...]) -> Mutation:
    return lambda payloads: _at(path[:-1], payloads).__delitem__(path[-1])


def _set_value(item: str, key: str, value: object) -> Mutation:
    """Change one field of the first stored value of ``item`` in the first payload."""

    def apply(payloads: list[dict[str, Any]]) -> None:
        next(v for v in payloads[0]["values"] if v["item_oid"] == item)[key] = value

    return apply


V = r"payload\[0\]\.values\[\d+\]"
BROKEN: list[tuple[str, Mutation, str]] = [
    ("format", _set((0, "format"), "npc-crf/other"), r"payload\[0\]: is not a npc-crf/bundle-payload"),
    ("no values", _drop((1, "values")), r"payload\[1\]\.values: missing or not a list"),
    ("value form", _set_value("AGE", "form_uid", "f-99"), V + r"\.form_uid: unknown form f-99"),
    ("value row", _set_value("AGE", "row_uid", "r-99"), V + r"\.row_uid: unknown row r-99 of form f-01"),
    ("kind", _set_value("AGE", "kind", "float"), V + r"\.kind: unknown kind 'float'"),
    ("version", _set_value("AGE", "version", "1"), V + r"\.version: should be a whole number"),
    ("code", _set_value("ECOG", "value", "not json"), V + r"\.value: is not a valid stored code value"),
    ("codes", _set_value("METS", "value", '{"a": 1}'), V + r"\.value: is not a valid stored codes value"),
    ("no text", _set_value("AGE", "value", None), V + r"\.value: missing for a value of kind int"),
    ("value and missing", _set_value("AGE", "missing_code", "ND"), V + r": has both a value and a missing-data code"),
    ("event subject", _set((0, "events", 0, "subject_id"), "S01-01-0099"), r"payload\[0\]\.events\[0\]\.subject_id: unknown subject S01-01-0099"),
    ("occurrence", _set((0, "events", 1, "occurrence"), True), r"payload\[0\]\.events\[1\]\.occurrence: should be a whole number"),
    ("form event", _drop((0, "forms", 2, "event_uid")), r"payload\[0\]\.forms\[2\]\.event_uid: missing"),
    ("row deleted", _set((0, "rows", 0, "deleted"), "no"), r"payload\[0\]\.rows\[0\]\.deleted: should be true or false"),
    ("duplicate subject", _set((1, "subjects", 0, "subject_id"), "S01-01-0001"), r"payload\[1\]\.subjects\[0\]\.subject_id: subject S01-01-0001 is listed twice"),
    ("sdv mark", _set((0, "sdv", 0, "marks", 0, "value_version"), None), r"payload\[0\]\.sdv\[0\]\.marks\[0\]\.value_version: should be a whole number"),
]  # fmt: skip


@pytest.mark.parametrize(("mutate", "message"), [b[1:] for b in BROKEN], ids=[b[0] for b in BROKEN])
def test_a_payload_not_shaped_as_the_spec_is_refused_naming_the_path(
    study: Study, payloads: list[dict[str, Any]], tmp_path: Path, mutate: Mutation, message: str
) -> None:
    mutate(payloads)
    with pytest.raises(DatasetError) as caught:
        export_csv(study, payloads, tmp_path / "out")
    assert re.search(message, str(caught.value)), str(caught.value)
    assert not (tmp_path / "out").exists()
