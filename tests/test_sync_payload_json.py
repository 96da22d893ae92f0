"""Payloads are encoded with orjson for speed; the bytes must be exactly the documented
canonical JSON (keys sorted, no spaces, non-ASCII unescaped), as the stdlib writes it."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from npc_crf.sync.envelope import canonical_bytes, payload_bytes

_TEXT = st.text(alphabet=st.characters(exclude_categories=["Cs"]), max_size=20)
_SCALAR = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-(2**63), max_value=2**63 - 1), _TEXT
)
_JSON = st.recursive(
    _SCALAR,
    lambda inner: st.one_of(st.lists(inner, max_size=5), st.dictionaries(_TEXT, inner, max_size=5)),
    max_leaves=30,
)


@settings(max_examples=400, deadline=None, database=None)
@given(_JSON)
def test_payload_bytes_are_the_canonical_bytes(doc: object) -> None:
    assert payload_bytes(doc) == canonical_bytes(doc)


def test_the_characters_json_escapes_are_escaped_alike() -> None:
    doc = {"b": '\x00\x1f\x7f"\\/\u2028\u2029中文🙂', "a": [True, None, -0, 2**62]}
    assert payload_bytes(doc) == canonical_bytes(doc)
