"""Expressions in words (npc_crf.reports.expr_words), in English and Chinese.

The cases are a table: an expression written in a form of a bundled study (or
of the worked example in docs/form-definitions.md) and what a nurse should
read. The expected wording is written with placeholders filled from the
definitions, so a label or decode is checked against the study, not a copy:

* ``{OID}``: the label of item OID of the case's form («…» / 「…」);
* ``{FORM.OID}``: the label of item OID of another form;
* ``{#LIST.CODE}``: the decode of CODE in code list LIST (plain / “…”);
* ``{form:OID}``: a form's title; ``{event:OID}``: an event's name as said
  mid-sentence (English names start in lower case there).
"""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest

from npc_crf.forms.expr.ast import Call, InList, ItemRef, Literal
from npc_crf.forms.expr.parser import parse
from npc_crf.forms.loader import load_study
from npc_crf.forms.model import Constraint, Expression, ItemType, Severity, Study
from npc_crf.forms.problems import Location
from npc_crf.reports import expr_words
from npc_crf.reports.expr_words import (
    LIST_SHOWN,
    calculation_text,
    constraint_text,
    describe,
    required_text,
    skip_text,
    source_of,
)

WORKED = Path(__file__).resolve().parent / "fixtures" / "forms" / "worked-example"


@pytest.fixture(scope="module")
def worked() -> Study:
    """The worked example of docs/form-definitions.md (a tiny study)."""
    return load_study(WORKED)


def fill(template: str, study: Study, form_oid: str | None, lang: str) -> str:
    """``template`` with its placeholders replaced from the study's definitions."""

    def quote(text: str) -> str:
        return f"「{text}」" if lang == "zh" else f"«{text}»"

    def value(text: str) -> str:
        return f"“{text}”" if lang == "zh" else text

    def one(match: re.Match[str]) -> str:
        key = match.group(1)
        if key.startswith("#"):
            list_oid, code = key[1:].split(".", 1)
            codelist = study.codelists[list_oid]
            entry = codelist.get(int(code) if codelist.type == "integer" else code)
            assert entry is not None, f"{code} is not a code of {list_oid}"
            return value(entry.label.get(lang))
        if key.startswith("form:"):
            return study.forms[key[5:]].title.get(lang)
        if key.startswith("event:"):
            event = study.event(key[6:])
            assert event is not None
            name = event.name.get(lang)
            if lang == "en" and name[1:2].islower():
                name = name[0].lower() + name[1:]
            return name
        if "." in key:
            other, item_oid = key.split(".", 1)
            item = study.forms[other].item(item_oid)
        else:
            assert form_oid is not None
            item = study.forms[form_oid].item(key)
        assert item is not None, f"no item {key}"
        return quote(item.label.get(lang))

    return re.sub(r"\{([^{}]+)\}", one, template)


# (study, form, own item for '.', expression, English, Chinese)
CASES = [
    # skip logic on yes/no items, codes and multiple choice
    ("npc-sint-rt", "AE", None, "AESER", "{AESER} is Yes", "{AESER}为“是”"),
    ("npc-sint-rt", "AE", None, "not AEONGO", "{AEONGO} is No", "{AEONGO}为“否”"),
    ("npc-sint-rt", "DM", None, "SEX = 'F'", "{SEX} is {#SEX.F}", "{SEX}为{#SEX.F}"),
    (
        "npc-sint-rt",
        "RT",
        None,
        "RTSTAT != 'ONGOING'",
        "{RTSTAT} is not {#RTSTAT.ONGOING}",
        "{RTSTAT}不为{#RTSTAT.ONGOING}",
    ),
    (
        "npc-sint-rt",
        "AE",
        None,
        "AERELSIN in ('POSSIBLE', 'PROBABLE', 'DEFINITE')",
        "{AERELSIN} is {#REL5.POSSIBLE}, {#REL5.PROBABLE} or {#REL5.DEFINITE}",
        "{AERELSIN}为{#REL5.POSSIBLE}、{#REL5.PROBABLE}或{#REL5.DEFINITE}",
    ),
    (
        "npc-sint-rt",
        "NPCH",
        None,
        "selected(METSITE, 'BRAIN')",
        "{METSITE} includes {#METSITE.BRAIN}",
        "{METSITE}包含{#METSITE.BRAIN}",
    ),
    # and / or / not, with brackets only where they change the meaning
    (
        "npc-sint-rt",
        "EX",
        None,
        "EXYN and (EXDLY or EXINTR)",
        "{EXYN} is Yes and ({EXDLY} is Yes or {EXINTR} is Yes)",
        "{EXYN}为“是”且（{EXDLY}为“是”或{EXINTR}为“是”）",
    ),
    (
        "npc-sint-rt",
        "EX",
        None,
        "not (EXDLY or EXINTR)",
        "{EXDLY} is No and {EXINTR} is No",
        "{EXDLY}为“否”且{EXINTR}为“否”",
    ),
    (
        "npc-sint-rt",
        "TA",
        None,
        "not coalesce(TLTSM, false)",
        "{TLTSM} is not Yes",
        "{TLTSM}不为“是”",
    ),
    (
        "npc-sint-rt",
        "CM",
        None,
        "not is_empty(CMDOSE)",
        "{CMDOSE} is filled in",
        "{CMDOSE}已填写",
    ),
    # constraints: '.' is the answer; dates and numbers compare in their own words
    (
        "npc-sint-rt",
        "VS",
        "VSDAT",
        ". <= today()",
        "the answer is on or before today",
        "本项不晚于今天",
    ),
    (
        "npc-sint-rt",
        "VS",
        "DIABP",
        ". < SYSBP",
        "the answer is less than {SYSBP}",
        "本项小于{SYSBP}",
    ),
    (
        "npc-sint-rt",
        "AE",
        "AEENDAT",
        ". >= AESTDAT",
        "the answer is on or after {AESTDAT}",
        "本项不早于{AESTDAT}",
    ),
    (
        "npc-sint-rt",
        "PS",
        "KPS",
        ". = floor(. / 10) * 10",
        "the answer is a multiple of 10",
        "本项为10的整数倍",
    ),
    (
        "npc-sint-rt",
        "AE",
        "AEOUT",
        "(. = 'FATAL') = (AETOXGR = 5)",
        "the answer is {#AEOUT.FATAL} exactly when {AETOXGR} is {#AEGRADE.5}",
        "本项为{#AEOUT.FATAL}当且仅当{AETOXGR}等于{#AEGRADE.5}",
    ),
    (
        "npc-sint-rt",
        "TA",
        "TLDIAM",
        "TLDIAM >= 10",
        "{TLDIAM} is at least 10 mm",
        "{TLDIAM}不小于10 mm",
    ),
    # other forms and visits
    (
        "npc-sint-rt",
        "AE",
        "AETOXGR",
        "not is_empty(@DTHV.DTH.DTHDAT)",
        "{DTH.DTHDAT} on the {form:DTH} form is filled in",
        "「{form:DTH}」表的{DTH.DTHDAT}已填写",
    ),
    (
        "npc-sint-rt",
        "EX",
        "EXSTDAT",
        ". > @CYCLE[prev].EX.EXSTDAT",
        "the answer is after {EX.EXSTDAT} on the {form:EX} form at the previous {event:CYCLE}",
        "本项晚于上一次{event:CYCLE}「{form:EX}」表的{EX.EXSTDAT}",
    ),
    (
        "npc-sint-rt",
        "DM",
        "BRTHDAT",
        ". < @IC.ICDAT",
        "the answer is before {IC.ICDAT} on the {form:IC} form",
        "本项早于「{form:IC}」表的{IC.ICDAT}",
    ),
    # calculations
    (
        "npc-sint-rt",
        "HEM",
        "NLR",
        "round(ANC / LYM, 2)",
        "{ANC} ÷ {LYM}, rounded to 2 decimal places",
        "{ANC}÷{LYM}（保留2位小数）",
    ),
    (
        "npc-sint-rt",
        "EOT",
        "EOTLTDAT",
        "max(EOTLDDAT, EOTRTLD)",
        "the later of {EOTLDDAT} and {EOTRTLD}",
        "{EOTLDDAT}与{EOTRTLD}中的较晚者",
    ),
    (
        "npc-sint-rt",
        "TA",
        "TLSUM",
        "sum(TL.TLDIAM)",
        "the sum of {TLDIAM} over {TL}",
        "{TL}各行{TLDIAM}之和",
    ),
    (
        "npc-sint-rt",
        "TA",
        None,
        "count_where(TL, TLSITE = 'LUNG') >= 1",
        "the number of rows of {TL} where {TLSITE} is {#ORGAN.LUNG} is at least 1",
        "{TL}中{TLSITE}为{#ORGAN.LUNG}的行数不小于1",
    ),
    (
        "npc-sint-rt",
        "TA",
        None,
        "any_where(NTL, NTLSTAT = 'UPD')",
        "in at least one row of {NTL}, {NTLSTAT} is {#NTLSTAT.UPD}",
        "{NTL}中至少有一行{NTLSTAT}为{#NTLSTAT.UPD}",
    ),
    (
        "npc-sint-rt",
        "DTH",
        "DTHDY",
        "days_between(DTHDAT, today())",
        "the number of days from {DTHDAT} to today",
        "{DTHDAT}至今天的天数",
    ),
    (
        "npc-sint-rt",
        "DM",
        "AGE",
        "age_at(BRTHDAT, @IC.ICDAT)",
        "the age in whole years from {BRTHDAT} to {IC.ICDAT} on the {form:IC} form",
        "从{BRTHDAT}至「{form:IC}」表的{IC.ICDAT}的周岁年龄",
    ),
    (
        "npc-sint-rt",
        "NPCH",
        "STAGECAL",
        "if(MSTAGE = 'M1', 'IVB', null)",
        "IVB if {MSTAGE} is {#MSTAGE.M1}; otherwise empty",
        "若{MSTAGE}为{#MSTAGE.M1}，为“IVB”；否则为空",
    ),
    # the worked example: a small study of its own
    ("worked", "DM", None, "PRIOR_ICI", "{PRIOR_ICI} is Yes", "{PRIOR_ICI}为“是”"),
    (
        "worked",
        "TUMOR",
        "LUNG_TARGETS",
        "count_where(TL, TL_SITE = 'LUNG')",
        "the number of rows of {TL} where {TL_SITE} is {#ORGAN.LUNG}",
        "{TL}中{TL_SITE}为{#ORGAN.LUNG}的行数",
    ),
    (
        "worked",
        "VS",
        "BMI",
        "WEIGHT / (HEIGHT / 100 * HEIGHT / 100)",
        "{WEIGHT} ÷ ({HEIGHT} ÷ 100 × {HEIGHT} ÷ 100)",
        "{WEIGHT}÷({HEIGHT}÷100×{HEIGHT}÷100)",
    ),
]


def study_of(name: str, studies: dict[str, Study], worked: Study) -> Study:
    return worked if name == "worked" else studies[name]


@pytest.mark.parametrize(("study_name", "form_oid", "item_oid", "source", "en", "zh"), CASES)
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_wording(
    studies: dict[str, Study],
    worked: Study,
    lang: str,
    study_name: str,
    form_oid: str,
    item_oid: str | None,
    source: str,
    en: str,
    zh: str,
) -> None:
    study = study_of(study_name, studies, worked)
    form = study.forms[form_oid]
    item = form.item(item_oid) if item_oid else None
    got = describe(parse(source), study, form, lang, item=item)
    assert got == fill(en if lang == "en" else zh, study, form_oid, lang)


def test_long_lists_name_the_first_few_and_count(studies: dict[str, Study]) -> None:
    """``AETERM in (26 CTCAE codes)`` names the first terms by their decodes, then counts."""
    study = studies["npc-sint-rt"]
    form = study.forms["AE"]
    item = form.item("AEOTHSP")
    assert item is not None and item.relevant is not None
    tree = item.relevant.tree
    assert isinstance(tree, InList) and len(tree.options) > LIST_SHOWN + 1
    codelist = study.codelist_for(form.item("AETERM"))  # type: ignore[arg-type]
    assert codelist is not None
    decodes = []
    for option in tree.options:
        assert isinstance(option, Literal)
        entry = codelist.get(option.value)
        assert entry is not None
        decodes.append(entry.label.en)
    got = describe(item.relevant, study, form, "en")
    shown = ", ".join(decodes[:LIST_SHOWN])
    assert got == f"«CTCAE v5.0 term» is one of: {shown}, … ({len(decodes)} terms)"
    assert decodes[LIST_SHOWN] not in got
    zh = describe(item.relevant, study, form, "zh")
    assert zh.endswith(f"（共{len(decodes)}项）")
    assert "「CTCAE v5.0术语」为以下之一：" in zh


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_parameters_and_anchors_by_name_and_value(studies: dict[str, Study], lang: str) -> None:
    study = studies["npc-sint-rt"]
    form = study.forms["AE"]
    param = study.parameters["ae_window_days"]
    anchor = study.anchors["last_dose"]
    got = describe(
        parse(". <= anchor('last_dose') + param('ae_window_days')"),
        study,
        form,
        lang,
        item=form.item("AESTDAT"),
    )
    assert isinstance(param.value, Decimal)
    label = param.label.get(lang)
    assert label[1:] in got  # the first letter may be set in lower case mid-sentence
    assert f"{param.value} {param.unit}" in got if lang == "en" else f"（{param.value}天）" in got
    anchor_label = anchor.label.get(lang)
    if lang == "en":
        assert f"the date of {anchor_label[0].lower()}{anchor_label[1:]}" in got
        assert "days" in got and "param(" not in got
    else:
        assert f"{anchor_label}日期" in got and "天" in got


def test_reference_limits_and_today(studies: dict[str, Study]) -> None:
    study = studies["npc-sint-rt"]
    form = study.forms["CHEM"]
    analyte = study.reference_ranges["ALT"].label
    en = describe(parse("ALT / uln('ALT')"), study, form, "en")
    assert en.endswith(f"the upper limit of normal of {analyte.en}")
    zh = describe(parse("ALT / uln('ALT')"), study, form, "zh")
    assert zh.endswith(f"{analyte.zh}正常值上限")


def every_expression(study: Study) -> list[tuple[str, str, Expression, str | None]]:
    """(form, kind, expression, own item) for every expression of the study's forms."""
    out: list[tuple[str, str, Expression, str | None]] = []
    for form in study.forms.values():
        for section in form.sections:
            if section.relevant is not None:
                out.append((form.oid, "section", section.relevant, None))
        for item, _group in form.all_items():
            for kind in ("relevant", "required_if", "calculate"):
                expression = getattr(item, kind)
                if expression is not None:
                    out.append((form.oid, kind, expression, item.oid))
            for constraint in item.constraints:
                out.append((form.oid, "constraint", constraint.expr, item.oid))
    return out


@pytest.mark.parametrize("study_name", ["npc-sint-rt", "nct07062484"])
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_expression_of_the_bundled_studies_is_said_in_words(
    studies: dict[str, Study], study_name: str, lang: str
) -> None:
    """No expression of the bundled forms falls back to its source: references are
    labels, never OIDs, ``@`` or function calls."""
    study = studies[study_name]
    found = every_expression(study)
    assert len(found) > 100
    for form_oid, kind, expression, item_oid in found:
        form = study.forms[form_oid]
        item = form.item(item_oid) if item_oid else None
        got = describe(expression, study, form, lang, item=item)
        where = f"{form_oid}.{item_oid} {kind}: {expression.source}"
        assert got and got != expression.source, where
        assert "@" not in got and "anchor(" not in got and "param(" not in got, where
        for node in _item_refs(expression):
            ref_item = form.item(node)
            assert ref_item is not None
            assert ref_item.label.get(lang) in got, where


def _item_refs(expression: Expression) -> list[str]:
    from npc_crf.forms.expr.ast import walk

    return [n.name for n in walk(expression.tree) if isinstance(n, ItemRef) and n.column is None]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_study_level_expressions(studies: dict[str, Study], lang: str) -> None:
    """Anchors and eligibility criteria have no form: references name form and visit."""
    study = studies["npc-sint-rt"]
    for criterion in study.eligibility:
        got = describe(criterion.expr, study, None, lang)
        assert got and "@" not in got, criterion.id
    consent = describe(study.anchors["consent"].date, study, None, lang)
    assert consent == fill(
        "{IC.ICDAT} on the {form:IC} form at {event:SCR}"
        if lang == "en"
        else "{event:SCR}「{form:IC}」表的{IC.ICDAT}",
        study,
        None,
        lang,
    )


def test_sentences(studies: dict[str, Study]) -> None:
    """The sentence builders wrap the words for the page."""
    study = studies["npc-sint-rt"]
    form = study.forms["AE"]
    aesdat = form.item("AESDAT")
    assert aesdat is not None and aesdat.relevant is not None
    serious = form.item("AESER")
    assert serious is not None
    assert skip_text(aesdat.relevant, study, form, "en", item=aesdat) == (
        f"Answer only if «{serious.label.en}» is Yes."
    )
    assert skip_text(aesdat.relevant, study, form, "zh", item=aesdat) == (
        f"仅当「{serious.label.zh}」为“是”时填写。"
    )
    assert skip_text(aesdat.relevant, study, form, "en", what="section").startswith(
        "Fill in this section only if"
    )
    assert skip_text(aesdat.relevant, study, form, "zh", what="group").endswith("时填写本表。")
    cm = study.forms["CM"]
    dose_unit = cm.item("CMDOSU")
    assert dose_unit is not None and dose_unit.required_if is not None
    dose = cm.item("CMDOSE")
    assert dose is not None
    assert required_text(dose_unit.required_if, study, cm, "en", item=dose_unit) == (
        f"Required if «{dose.label.en}» is filled in."
    )
    assert required_text(dose_unit.required_if, study, cm, "zh", item=dose_unit) == (
        f"当「{dose.label.zh}」已填写时必填。"
    )
    susar = form.item("AESUSAR")
    assert susar is not None and susar.calculate is not None
    assert susar.type is ItemType.CALCULATED
    assert calculation_text(susar.calculate, study, form, "en", item=susar).startswith(
        f"calculated: Yes when «{serious.label.en}» is Yes"
    )
    assert calculation_text(susar.calculate, study, form, "zh", item=susar).startswith(
        "自动计算：当"
    )
    vsdat = study.forms["VS"].item("VSDAT")
    assert vsdat is not None
    soft = Constraint(vsdat.constraints[0].expr, Severity.SOFT, vsdat.constraints[0].message)
    assert constraint_text(soft, study, study.forms["VS"], "en", item=vsdat) == (
        "Check (soft): The answer is on or before today"
    )
    assert constraint_text(vsdat.constraints[0], study, study.forms["VS"], "zh", item=vsdat) == (
        "核查（强制）：本项不晚于今天"
    )


def test_what_cannot_be_phrased_prints_as_its_source(
    studies: dict[str, Study], monkeypatch: pytest.MonkeyPatch
) -> None:
    study = studies["npc-sint-rt"]
    form = study.forms["VS"]
    # a function the describer does not know is written as it stands
    unknown = Call(0, "frobnicate", (ItemRef(11, "WEIGHT"), Literal(19, Decimal(2))))
    assert describe(unknown, study, form, "en") == "frobnicate(WEIGHT, 2)"
    # a reference the form does not hold stays as written
    assert describe(ItemRef(0, "NOSUCH"), study, form, "zh") == "NOSUCH"
    # any failure inside gives the expression's source, never an exception
    expression = Expression("WEIGHT > 300", parse("WEIGHT > 300"), Location("x.yaml", 1, 1), ())

    def broken(*_args: object, **_kw: object) -> str:
        raise RuntimeError("cannot phrase")

    monkeypatch.setattr(expr_words._Speaker, "compare", broken)
    assert describe(expression, study, form, "en") == "WEIGHT > 300"
    assert describe(expression.tree, study, form, "en") == "WEIGHT > 300"


@pytest.mark.parametrize(
    "source",
    [
        "a",
        "not (A or B) and C",
        "-X + 2 * (Y - 3) / Z",
        "X in ('a', 'b')",
        "@CYCLE[prev].EX.EXSTDAT >= today()",
        "count_where(TL, TL_SITE = 'LUNG' and not TL_NODAL) = 0",
        "A = (B = C)",
    ],
)
def test_source_of_writes_the_tree_back(source: str) -> None:
    """The fallback text parses back to the same tree."""
    tree = parse(source)
    assert source_of(parse(source_of(tree))) == source_of(tree)
    assert _strip_pos(parse(source_of(tree))) == _strip_pos(tree)


def _strip_pos(node: object) -> object:
    """A tree as nested tuples without source positions."""
    from dataclasses import fields, is_dataclass

    if is_dataclass(node) and not isinstance(node, type):
        kept = [_strip_pos(getattr(node, f.name)) for f in fields(node) if f.name != "pos"]
        return (type(node).__name__, *kept)
    if isinstance(node, tuple):
        return tuple(_strip_pos(n) for n in node)
    return node
