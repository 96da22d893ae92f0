"""``README.txt``: what an export holds and how to read it, for the person who receives it.

It holds no time, so two exports of the same data have the same README; the
time of the export is in ``manifest.json``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from npc_crf.exchange.csv_out.folder import WrittenFile
from npc_crf.forms.model import Study


@dataclass(frozen=True)
class ReadmeFacts:
    """What the README states about one export."""

    study: Study
    sites: Sequence[str]
    subjects: int
    values: int
    layout: str
    labels: bool
    lang: str
    strip_phi: bool
    subject_filter: bool


_BODY = """\
Files
-----
  README.txt          this text
  manifest.json       study, sites, options, time of the export, and every file with
                      its data rows, bytes and SHA-256
  dictionary.csv      one row per item: form, section, group, labels (en, zh), type,
                      units, code list (code, label | code, label), hard and soft
                      ranges, required, skip logic (relevant), calculation, checks,
                      allowed missing-data codes, PHI, SDV, and its wide file and columns
  codelists.csv       one row per code of every code list used; _YESNO is yes/no (1/0),
                      _MISSING the study's missing-data codes
  subjects.csv        one row per subject: site, ID, status, status date and reason
  long.csv            one row per value (layout long or both)
  wide/FORM.csv       one row per form per event occurrence (layout wide or both)
  wide/FORM__GROUP.csv  one row per row of a repeating group of that form

Key columns of the wide files: site_id, subject_id, event_oid, occurrence,
form_status, form_version; a group's file adds row_position and row_uid.
Then one column per item, named by its item OID, and:
  ITEM__missing       the missing-data code (ND, UNK, ...) when the value was not given
  ITEM___CODE         multiple choice only: 1 = CODE chosen, 0 = not chosen
                      (empty when the item has no answer); column ITEM holds the
                      chosen codes joined by "|"

Values
------
  dates YYYY-MM-DD; partial dates YYYY or YYYY-MM (never padded); times HH:MM or
  HH:MM:SS; date-times YYYY-MM-DDTHH:MM[:SS]; decimals as entered, scale kept (12.50);
  yes/no as 1/0; codes as in the code list; an empty cell has no value.
  A value and a missing-data code never appear together.
  Deleted rows of repeating groups are not exported; calculated items are
  (field_type calculated in the dictionary).

Format
------
  UTF-8 with a byte-order mark (so Excel, Chinese Windows included, shows Chinese),
  comma-separated, RFC 4180 quoting, CRLF line ends.
  Spreadsheet safety: a cell that begins with = + - @ (or their full-width forms),
  a tab or a carriage return, and is not a number, got one apostrophe in front; so
  did a cell that began with an apostrophe. To get the exact text back, remove one
  leading apostrophe from every cell that starts with one.

  R:       read.csv("long.csv", fileEncoding = "UTF-8-BOM", colClasses = "character",
                    na.strings = character(0))
  pandas:  pandas.read_csv("long.csv", encoding="utf-8-sig", dtype=str,
                           keep_default_na=False)
  Stata:   import delimited using "long.csv", encoding("utf-8") varnames(1)
           stringcols(_all) bindquote(strict)

中文说明
--------
  文件为带BOM的UTF-8编码（Excel可直接打开中文）。dictionary.csv 同时列出英文和中文的
  条目名称与选项；数据文件中的编码可通过 codelists.csv 转换为中文标签（label_zh），
  或导出时使用 --labels --lang zh。以 = + - @ 开头的非数字单元格前加了一个撇号（'）。
"""


def readme_text(facts: ReadmeFacts, files: Sequence[WrittenFile]) -> str:
    """The README of an export whose data files are ``files``."""
    study = facts.study
    cells = (
        f"labels ({'Chinese' if facts.lang == 'zh' else 'English'}) instead of codes"
        if facts.labels
        else "codes (labels in codelists.csv)"
    )
    lines = [
        f"CSV export of study {study.oid} version {study.version}",
        study.name.en,
        study.name.zh,
        "",
        f"Sites: {', '.join(facts.sites) or 'none'}",
        f"Subjects: {facts.subjects}{' (chosen with --subject)' if facts.subject_filter else ''}",
        f"Values: {facts.values}",
        f"Layout: {facts.layout}; wide cells hold {cells}",
        "Protected health information: "
        + (
            "withheld (--strip-phi)"
            if facts.strip_phi
            else "included (items marked identifier = yes in dictionary.csv)"
        ),
        "",
        "Data rows per file:",
    ]
    width = max((len(f.path) for f in files), default=0)
    lines += [f"  {f.path:<{width}}  {f.rows}" for f in files if f.rows is not None]
    lines.append("")
    text = "\n".join(lines) + "\n" + _BODY
    return text.replace("\n", "\r\n")
