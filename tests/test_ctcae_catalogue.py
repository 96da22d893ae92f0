"""The CTCAE v5.0 catalogue: all 837 terms, search by term, MedDRA code and SOC, missing grades."""

from __future__ import annotations

import json

import pytest

from npc_crf.core.paths import resources_dir
from npc_crf.oncology.ctcae.catalogue import (
    ABBREVIATIONS,
    Catalogue,
    Term,
    by_code,
    catalogue,
    search,
    socs,
    term_from_json,
)


def test_all_837_terms_in_26_socs() -> None:
    terms = catalogue()
    assert len(terms) == 837
    assert len({t.code for t in terms.terms}) == 837
    assert len(socs()) == 26
    assert "Blood and lymphatic system disorders" in socs()
    assert sum(len(terms.in_soc(s)) for s in socs()) == 837


def test_terms_read_as_published() -> None:
    anemia = by_code("10002272")
    assert anemia is not None
    assert anemia.term == "Anemia"
    assert anemia.soc == "Blood and lymphatic system disorders"
    assert anemia.grade_text(3) == "Hgb <8.0 g/dL; <4.9 mmol/L; <80 g/L; transfusion indicated"
    assert anemia.definition is not None and anemia.definition.startswith("A disorder")
    assert anemia.navigational_note is None
    tsh = catalogue().by_name("thyroid stimulating hormone increased")
    assert tsh is not None and tsh.navigational_note is not None
    assert "Hypothyroidism" in tsh.navigational_note
    assert by_code(10002272) == anemia  # an integer code too
    assert by_code("99999999") is None


@pytest.mark.parametrize(
    ("name", "grades"),
    [
        ("Thyroid stimulating hormone increased", (1,)),
        ("Myocarditis", (2, 3, 4, 5)),
        ("Otitis media", (2, 3, 4, 5)),
        ("Hepatic failure", (3, 4, 5)),
        ("Alanine aminotransferase increased", (1, 2, 3, 4)),
        ("Pneumonitis", (1, 2, 3, 4, 5)),
    ],
)
def test_grades_that_do_not_exist(name: str, grades: tuple[int, ...]) -> None:
    term = catalogue().by_name(name)
    assert term is not None
    assert tuple(g for g in range(1, 6) if term.has_grade(g)) == grades
    assert term.max_grade == max(grades)
    for missing in set(range(1, 6)) - set(grades):
        assert term.grade_text(missing) is None


def test_no_grade_text_is_a_dash_and_every_term_has_a_grade() -> None:
    for term in catalogue().terms:
        assert term.max_grade >= 1, term.term
        assert all(text not in ("-", "") for text in term.grades.values() if text is not None)


def test_a_dash_in_the_file_means_no_grade() -> None:
    term = term_from_json(
        {"meddra_code": "1", "soc": "S", "term": "T", "grades": {"1": "-", "2": "Moderate"}}
    )
    assert not term.has_grade(1)
    assert term.has_grade(2)
    assert term.max_grade == 2


def test_the_file_and_the_catalogue_agree_on_null_grades() -> None:
    data = json.loads((resources_dir() / "ctcae_v5_terms.json").read_text(encoding="utf-8"))
    nulls = sum(1 for t in data["terms"] for g in t["grades"].values() if g is None)
    missing = sum(1 for t in catalogue().terms for g in range(1, 6) if not t.has_grade(g))
    assert nulls == missing > 0


# -- search ---------------------------------------------------------------------------------


def names(query: str, limit: int | None = 10) -> list[str]:
    return [t.term for t in search(query, limit)]


def test_search_by_term_prefix_is_case_insensitive() -> None:
    assert names("pneumon")[0] == "Pneumonitis"
    assert names("PNEUMON")[0] == "Pneumonitis"
    assert names("dry mouth") == ["Dry mouth"]


def test_search_by_meddra_code() -> None:
    assert names("10035742") == ["Pneumonitis"]
    assert names(" 10002272 ")[0] == "Anemia"


def test_search_by_soc_finds_every_term_of_it() -> None:
    found = {t.code for t in search("cardiac disorders", None)}
    assert {t.code for t in catalogue().in_soc("Cardiac disorders")} <= found


def test_ranking_code_then_prefix_then_word_then_substring_then_soc() -> None:
    found = names("anemia", None)
    assert found[0] == "Anemia"  # the term itself before terms that only mention it
    # word prefix ("Blood bilirubin increased") ranks after terms starting with the word
    found = names("blood", None)
    starts = [n for n in found if n.lower().startswith("blood")]
    assert found[: len(starts)] == starts
    assert "Blood and lymphatic system disorders - Other, specify" in found
    cardiac = names("cardiac", None)
    # a term of the Cardiac SOC that does not say "cardiac" comes after those that do
    assert cardiac.index("Aortic valve disease") > cardiac.index("Cardiac arrest")
    assert cardiac.index("Aortic valve disease") > cardiac.index("Non-cardiac chest pain")


def test_every_word_must_match() -> None:
    assert names("oral mucositis") == ["Mucositis oral"]
    assert names("mucositis zzzz") == []
    assert "Mucositis oral" in names("mucositis gastrointestinal")  # term word + SOC word


def test_lab_abbreviations_find_their_terms_first() -> None:
    assert names("ALT")[0] == "Alanine aminotransferase increased"
    assert names("tsh")[0] == "Thyroid stimulating hormone increased"
    for abbreviation, code in ABBREVIATIONS.items():
        assert search(abbreviation, 1)[0].code == code


def test_an_empty_query_lists_the_catalogue_and_limit_applies() -> None:
    assert len(search("", None)) == 837
    assert len(search("", 5)) == 5
    assert len(search("a", 7)) == 7


def test_a_small_catalogue() -> None:
    one = Term("1", "Soc A", "Alpha beta", {1: "x", 2: None, 3: None, 4: None, 5: None})
    two = Term("2", "Soc B", "Gamma", {1: "y", 2: None, 3: None, 4: None, 5: None})
    small = Catalogue((one, two))
    assert small.search("beta") == [one]
    assert small.search("b") == [one, two]  # a word of the term before a SOC match
    assert small.search("2") == [two]
    assert small.socs() == ["Soc A", "Soc B"]
