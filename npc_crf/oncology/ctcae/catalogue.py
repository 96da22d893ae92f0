"""The CTCAE v5.0 terms shipped in ``resources/ctcae_v5_terms.json``, and finding them.

Each term is a MedDRA LLT with up to five grade texts; a grade whose text is
``-`` (``null`` in the JSON) does not exist for that term. :func:`catalogue`
loads the file once.

Search (:meth:`Catalogue.search`) is case-insensitive and ranks, best first:

0. the exact MedDRA code, or a lab abbreviation of :data:`ABBREVIATIONS` (``ALT``);
1. the term starts with the query;
2. a word of the term starts with the query;
3. the query is inside the term (or starts the MedDRA code);
4. the SOC contains the query;
5. a word of the definition is the query (``ALT`` finds *Alanine aminotransferase
   increased* through "(ALT or SGPT)").

A query of several words matches a term only when every word matches it (in
the term, code, SOC or definition); such a term ranks by its worst-matching
word, unless the whole query matches better. Ties are alphabetical.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache, cached_property
from pathlib import Path

from npc_crf.core.paths import resources_dir

#: the grades CTCAE defines (1 mild … 5 death)
GRADES = (1, 2, 3, 4, 5)

_WORD = re.compile(r"[a-z0-9]+")

#: abbreviations a nurse types for lab terms whose CTCAE name does not contain them
ABBREVIATIONS: dict[str, str] = {
    "alt": "10001551",  # Alanine aminotransferase increased
    "sgpt": "10001551",
    "ast": "10003481",  # Aspartate aminotransferase increased
    "sgot": "10003481",
    "alp": "10001675",  # Alkaline phosphatase increased
    "tbil": "10005364",  # Blood bilirubin increased
    "anc": "10029366",  # Neutrophil count decreased
    "wbc": "10049182",  # White blood cell decreased
    "plt": "10035528",  # Platelet count decreased
    "tsh": "10043770",  # Thyroid stimulating hormone increased
    "ck": "10011268",  # CPK increased
    "aki": "10069339",  # Acute kidney injury
    "fn": "10016288",  # Febrile neutropenia
}


@dataclass(frozen=True)
class Term:
    """One CTCAE v5.0 term as published."""

    code: str  # MedDRA LLT code
    soc: str  # MedDRA system organ class
    term: str
    grades: Mapping[int, str | None] = field(hash=False)  # 1..5 → text, None: no such grade
    definition: str | None = None
    navigational_note: str | None = None

    @property
    def max_grade(self) -> int:
        """The highest grade the term has (0 if none, which no published term is)."""
        return max((g for g in GRADES if self.has_grade(g)), default=0)

    def has_grade(self, grade: int) -> bool:
        """Whether ``grade`` exists for this term (its text is not ``-``)."""
        return self.grades.get(grade) is not None

    def grade_text(self, grade: int) -> str | None:
        """The verbatim text of ``grade``, or None when the grade does not exist."""
        return self.grades.get(grade)


def _text(raw: object) -> str | None:
    if raw is None:
        return None
    text = str(raw).strip()
    return None if text in ("", "-", "–") else text


def term_from_json(data: Mapping[str, object]) -> Term:
    """A :class:`Term` from one entry of the JSON file."""
    raw_grades = data.get("grades")
    grades = raw_grades if isinstance(raw_grades, Mapping) else {}
    return Term(
        code=str(data["meddra_code"]),
        soc=str(data["soc"]),
        term=str(data["term"]),
        grades={g: _text(grades.get(str(g))) for g in GRADES},
        definition=_text(data.get("definition")),  # "-" for the "Other, specify" terms
        navigational_note=_text(data.get("navigational_note")),
    )


@dataclass(frozen=True)
class _Index:
    """Lower-cased search keys of one term."""

    term: Term
    name: str
    words: tuple[str, ...]
    soc: str
    definition_words: frozenset[str]


class Catalogue:
    """All terms, by code, by SOC, and searchable."""

    def __init__(self, terms: tuple[Term, ...]) -> None:
        self.terms = terms
        self._by_code = {t.code: t for t in terms}
        self._by_name = {t.term.casefold(): t for t in terms}

    @cached_property
    def _index(self) -> tuple[_Index, ...]:
        return tuple(
            _Index(
                t,
                t.term.casefold(),
                tuple(_WORD.findall(t.term.casefold())),
                t.soc.casefold(),
                frozenset(_WORD.findall((t.definition or "").casefold())),
            )
            for t in self.terms
        )

    def __len__(self) -> int:
        return len(self.terms)

    def by_code(self, code: str | int) -> Term | None:
        """The term with MedDRA code ``code``, or None."""
        return self._by_code.get(str(code).strip())

    def by_name(self, name: str) -> Term | None:
        """The term named exactly ``name`` (case-insensitive), or None."""
        return self._by_name.get(name.strip().casefold())

    def socs(self) -> list[str]:
        """The system organ classes, in the order the catalogue first lists them."""
        return list(dict.fromkeys(t.soc for t in self.terms))

    def in_soc(self, soc: str) -> list[Term]:
        """The terms of one SOC, in catalogue order."""
        return [t for t in self.terms if t.soc == soc]

    def search(self, query: str, limit: int | None = 50) -> list[Term]:
        """Terms matching ``query``, best first (see the module docstring); all when empty."""
        text = " ".join(query.casefold().split())
        if not text:
            return list(self.terms[:limit] if limit is not None else self.terms)
        words = text.split()
        ranked: list[tuple[int, str, Term]] = []
        for entry in self._index:
            rank = _rank(entry, text, words)
            if rank is not None:
                ranked.append((rank, entry.name, entry.term))
        ranked.sort(key=lambda r: (r[0], r[1]))
        found = [term for _rank_, _name, term in ranked]
        return found[:limit] if limit is not None else found


def _word_rank(entry: _Index, word: str) -> int | None:
    """How well one query word matches a term (lower is better), None for no match."""
    if word == entry.term.code or ABBREVIATIONS.get(word) == entry.term.code:
        return 0
    if entry.name.startswith(word):
        return 1
    if any(w.startswith(word) for w in entry.words) or f" {word}" in entry.name:
        return 2
    if word in entry.name or entry.term.code.startswith(word):
        return 3
    if word in entry.soc:
        return 4
    if word in entry.definition_words:
        return 5
    return None


def _rank(entry: _Index, text: str, words: list[str]) -> int | None:
    whole = _word_rank(entry, text)
    if len(words) == 1:
        return whole
    ranks = [_word_rank(entry, w) for w in words]
    if any(r is None for r in ranks):
        return whole
    worst = max(r for r in ranks if r is not None)
    return min(worst, whole) if whole is not None else worst


def load_catalogue(path: Path) -> Catalogue:
    """Read a catalogue file (the shipped one: :func:`catalogue`)."""
    data = json.loads(path.read_text(encoding="utf-8"))
    return Catalogue(tuple(term_from_json(t) for t in data["terms"]))


@cache
def catalogue() -> Catalogue:
    """The shipped CTCAE v5.0 catalogue (loaded once)."""
    return load_catalogue(resources_dir() / "ctcae_v5_terms.json")


def by_code(code: str | int) -> Term | None:
    """The shipped term with MedDRA code ``code``, or None."""
    return catalogue().by_code(code)


def search(query: str, limit: int | None = 50) -> list[Term]:
    """Search the shipped catalogue (see :meth:`Catalogue.search`)."""
    return catalogue().search(query, limit)


def socs() -> list[str]:
    """The shipped catalogue's system organ classes."""
    return catalogue().socs()
