"""Turning what a person (or a CSV cell) enters into a typed answer, or a clear refusal."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation

from npc_crf.forms.expr.evaluate import Missing
from npc_crf.forms.expr.values import PartialDate
from npc_crf.forms.model import Item, ItemType, Study, Text

_YES = {"y", "yes", "true", "1", "是"}
_NO = {"n", "no", "false", "0", "否"}
_PRECISION_RANK = {"year": 0, "month": 1, "day": 2}


class InputError(ValueError):
    """An entry that is not a value of the item's type; ``message`` is bilingual."""

    def __init__(self, message: Text) -> None:
        super().__init__(message.en)
        self.message = message


def _fail(en: str, zh: str) -> InputError:
    return InputError(Text(en, zh))


def parse_input(study: Study, item: Item, raw: object) -> object:
    """The typed answer for ``raw`` (a typed value or text), or raise InputError.

    Empty text gives None. Missing-data codes are given as :class:`Missing`.
    """
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    if isinstance(raw, Missing):
        allowed = study.missing_codes_for(item)
        if raw.code not in allowed:
            listed = ", ".join(allowed) or "none"
            raise _fail(
                f"'{raw.code}' is not allowed here (allowed: {listed})",
                f"此处不允许“{raw.code}”（允许：{listed}）",
            )
        return raw
    parser = _PARSERS.get(item.type)
    if parser is None:
        raise _fail(f"{item.oid} is not answered by hand", f"{item.oid} 不可手工填写")
    return parser(study, item, raw)


def _text(study: Study, item: Item, raw: object) -> object:
    text = str(raw)
    if item.type is ItemType.TEXT and "\n" in text:
        raise _fail("Only one line is allowed here", "此处只能填写一行")
    if item.max_length is not None and len(text) > item.max_length:
        raise _fail(f"At most {item.max_length} characters", f"最多 {item.max_length} 个字符")
    return text


def _integer(study: Study, item: Item, raw: object) -> object:
    if isinstance(raw, bool):
        raise _fail("Enter a whole number", "请输入整数")
    if isinstance(raw, int):
        return raw
    text = str(raw).strip()
    if not re.fullmatch(r"[+-]?\d+", text):
        raise _fail(f"'{text}' is not a whole number", f"“{text}”不是整数")
    return int(text)


def _decimal(study: Study, item: Item, raw: object) -> object:
    if isinstance(raw, bool):
        raise _fail("Enter a number", "请输入数字")
    text = str(raw).strip() if not isinstance(raw, Decimal) else str(raw)
    if not re.fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)", text):
        raise _fail(
            f"'{text}' is not a number (use a point for decimals)",
            f"“{text}”不是数字（小数点请用“.”）",
        )
    try:
        value = Decimal(text)
    except InvalidOperation:  # pragma: no cover - the pattern admits only valid numbers
        raise _fail(f"'{text}' is not a number", f"“{text}”不是数字") from None
    if item.precision is not None and -value.as_tuple().exponent > item.precision:  # type: ignore[operator]
        raise _fail(f"At most {item.precision} decimal places", f"最多 {item.precision} 位小数")
    return value


def _date(study: Study, item: Item, raw: object) -> object:
    if isinstance(raw, dt.datetime):
        return raw.date()
    if isinstance(raw, dt.date):
        return raw
    text = str(raw).strip()
    try:
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            raise ValueError
        return dt.date.fromisoformat(text)
    except ValueError:
        raise _fail(
            f"'{text}' is not a date (YYYY-MM-DD)", f"“{text}”不是有效日期（年-月-日）"
        ) from None


def _partial_date(study: Study, item: Item, raw: object) -> object:
    if isinstance(raw, dt.date) and not isinstance(raw, dt.datetime):
        value = PartialDate(raw.year, raw.month, raw.day)
    elif isinstance(raw, PartialDate):
        value = raw
    else:
        text = str(raw).strip()
        try:
            value = PartialDate.parse(text)
        except ValueError:
            raise _fail(
                f"'{text}' is not a date: write YYYY, YYYY-MM or YYYY-MM-DD",
                f"“{text}”不是有效日期：请写 年、年-月 或 年-月-日",
            ) from None
    need = item.min_precision or "year"
    if _PRECISION_RANK[value.precision] < _PRECISION_RANK[need]:
        words = {"month": ("the month", "月份"), "day": ("the full date", "完整日期")}[need]
        raise _fail(f"At least {words[0]} is needed here", f"此处至少需要{words[1]}")
    return value


def _time(study: Study, item: Item, raw: object) -> object:
    if isinstance(raw, dt.time):
        return raw
    text = str(raw).strip()
    try:
        if not re.fullmatch(r"\d{2}:\d{2}(:\d{2})?", text):
            raise ValueError
        return dt.time.fromisoformat(text)
    except ValueError:
        raise _fail(f"'{text}' is not a time (hh:mm)", f"“{text}”不是有效时间（时:分）") from None


def _datetime(study: Study, item: Item, raw: object) -> object:
    if isinstance(raw, dt.datetime):
        return raw
    text = str(raw).strip()
    try:
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2})?", text):
            raise ValueError
        return dt.datetime.fromisoformat(text.replace(" ", "T"))
    except ValueError:
        raise _fail(
            f"'{text}' is not a date and time (YYYY-MM-DD hh:mm)", f"“{text}”不是有效日期时间"
        ) from None


def _one_code(study: Study, item: Item, raw: object) -> str | int:
    codelist = study.codelist_for(item)
    assert codelist is not None, "checked at load: choice items have a code list"
    code: object = raw
    if (
        codelist.type == "integer"
        and isinstance(raw, str)
        and re.fullmatch(r"[+-]?\d+", raw.strip())
    ):
        code = int(raw)
    elif codelist.type == "text" and not isinstance(raw, str):
        code = str(raw)
    elif isinstance(raw, str):
        code = raw.strip()
    if isinstance(code, bool) or codelist.get(code) is None:
        raise _fail(f"'{raw}' is not one of the choices", f"“{raw}”不是可选项")
    return code  # type: ignore[return-value]


def _choice(study: Study, item: Item, raw: object) -> object:
    return _one_code(study, item, raw)


def _choices(study: Study, item: Item, raw: object) -> object:
    parts: Iterable[object] = raw.split(",") if isinstance(raw, str) else raw  # type: ignore[assignment]
    codes = [_one_code(study, item, p) for p in parts if not (isinstance(p, str) and not p.strip())]
    return frozenset(codes) if codes else None


def _yes_no(study: Study, item: Item, raw: object) -> object:
    if isinstance(raw, bool):
        return raw
    text = str(raw).strip().lower()
    if text in _YES:
        return True
    if text in _NO:
        return False
    raise _fail(f"'{raw}' is not yes or no", f"“{raw}”不是“是”或“否”")


_PARSERS = {
    ItemType.TEXT: _text,
    ItemType.LONG_TEXT: _text,
    ItemType.FILE: _text,
    ItemType.INTEGER: _integer,
    ItemType.DECIMAL: _decimal,
    ItemType.DATE: _date,
    ItemType.PARTIAL_DATE: _partial_date,
    ItemType.TIME: _time,
    ItemType.DATETIME: _datetime,
    ItemType.SINGLE_CHOICE: _choice,
    ItemType.LOOKUP: _choice,
    ItemType.MULTIPLE_CHOICE: _choices,
    ItemType.YES_NO: _yes_no,
}
