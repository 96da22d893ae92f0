"""The rows of the data files: wide tables, the long file and the subject list.

Rows come out sorted (site, subject, event in schedule order, occurrence, then
items in definition order), so the same data always gives the same bytes.
"""

from __future__ import annotations

from collections.abc import Iterator

from npc_crf.exchange.csv_out.dataset import Dataset, FormRecord, Value
from npc_crf.exchange.csv_out.decode import Decoder
from npc_crf.exchange.csv_out.layout import Column, Layout, Role, Table

LONG_HEADER = (
    "site_id",
    "subject_id",
    "event_oid",
    "occurrence",
    "form_oid",
    "form_version",
    "form_status",
    "group_oid",
    "row_position",
    "row_uid",
    "item_oid",
    "kind",
    "value",
    "value_label",
    "missing_code",
    "version",
    "updated_at",
    "updated_by",
    "sdv_verified",
)
SUBJECTS_HEADER = ("site_id", "subject_id", "status", "status_date", "status_reason")


def sorted_forms(dataset: Dataset, layout: Layout) -> list[FormRecord]:
    """The dataset's form instances in export order."""
    return sorted(dataset.forms, key=layout.form_sort_key)


def _keys(form: FormRecord) -> list[str]:
    return [
        form.site_id,
        form.subject_id,
        form.event_oid,
        str(form.occurrence),
        form.status,
        form.form_version,
    ]


def _cell(column: Column, value: Value | None, form_oid: str, decoder: Decoder | None) -> str:
    """One wide cell; ``decoder`` set means labels instead of codes."""
    if value is None:
        return ""
    if column.role is Role.MISSING:
        if value.missing_code is None:
            return ""
        return decoder.missing_label(value.missing_code) if decoder else value.missing_code
    if value.kind is None:  # a missing-data code: the value columns stay empty
        return ""
    if column.role is Role.CHOICE:
        return "1" if column.code in value.codes else "0"
    if decoder is not None and value.kind in ("bool", "code", "codes"):
        return decoder.value_label(form_oid, value)
    return value.cell


def wide_rows(
    table: Table, forms: list[FormRecord], decoder: Decoder | None = None
) -> Iterator[list[str]]:
    """The rows of one wide table (``forms`` already in export order)."""
    for form in forms:
        if form.form_oid != table.form_oid:
            continue
        if table.group_oid is None:
            values = {v.item_oid: v for v in form.values if v.row is None}
            yield _keys(form) + [
                _cell(c, values.get(c.item_oid), form.form_oid, decoder) for c in table.columns
            ]
            continue
        rows = [r for r in form.rows if r.group_oid == table.group_oid]
        if not rows:
            continue
        cells: dict[tuple[str, str], Value] = {
            (v.row.uid, v.item_oid): v for v in form.values if v.row is not None
        }
        for row in rows:
            yield (
                _keys(form)
                + [str(row.position), row.uid]
                + [
                    _cell(c, cells.get((row.uid, c.item_oid)), form.form_oid, decoder)
                    for c in table.columns
                ]
            )


def long_rows(forms: list[FormRecord], layout: Layout, decoder: Decoder) -> Iterator[list[str]]:
    """One row per value (``forms`` already in export order)."""
    rank, withheld = layout.item_rank, layout.withheld
    last = (1 << 30, 0)  # items the definition does not have come last, by OID
    for form in forms:
        oid = form.form_oid

        def order(value: Value, oid: str = oid) -> tuple[int, int, int, str]:
            top, column = rank.get((oid, value.item_oid), last)
            return top, value.row.position if value.row else 0, column, value.item_oid

        keys = [
            form.site_id,
            form.subject_id,
            form.event_oid,
            str(form.occurrence),
            oid,
            form.form_version,
            form.status,
        ]
        for value in sorted(form.values, key=order):
            if withheld and (oid, value.item_oid) in withheld:
                continue
            row = value.row
            coded = value.kind in ("bool", "code", "codes")
            yield [
                *keys,
                row.group_oid if row else "",
                str(row.position) if row else "",
                row.uid if row else "",
                value.item_oid,
                value.kind or "",
                value.cell,
                decoder.value_label(oid, value) if coded else "",
                value.missing_code or "",
                str(value.version),
                value.updated_at,
                value.updated_by,
                "1" if value.sdv_verified else "0",
            ]


def subject_rows(dataset: Dataset) -> Iterator[list[str]]:
    """One row per subject."""
    for s in dataset.subjects:
        yield [s.site_id, s.subject_id, s.status, s.status_date or "", s.status_reason or ""]
