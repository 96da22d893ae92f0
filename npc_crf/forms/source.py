"""YAML text to located nodes: every mapping key, value and list entry keeps its position.

PyYAML's composer gives nodes with marks; this module turns them into small
immutable node objects the builder walks, so each problem can be reported as
``file:line:col``. Duplicate mapping keys, which plain YAML loading silently
collapses, are reported here.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from npc_crf.forms.problems import Location, Problems

Scalar = str | int | float | bool | dt.date | dt.datetime | None


@dataclass(frozen=True)
class Node:
    """A YAML node with its position."""

    loc: Location


@dataclass(frozen=True)
class ScalarNode(Node):
    """A scalar; ``value`` is the resolved Python value, ``text`` the source text."""

    value: Scalar
    text: str
    style: str | None  # None (plain), "'", '"', "|" or ">"
    end_line: int
    source_lines: tuple[str, ...] = field(compare=False, repr=False)

    def offset_locations(self) -> tuple[Location, ...]:
        """The file position of every character of ``text`` (and one past its end).

        Built from the source lines, so it is exact for single-line scalars and for
        block and multi-line scalars without blank or extra-indented lines;
        anything else maps every character to the scalar's start.
        """
        segments = self._segments()
        out: list[Location] = []
        for line_no, col, chunk in segments:
            out.extend(Location(self.loc.file, line_no, col + i) for i in range(len(chunk) + 1))
        if out and len(out) == len(self.text):  # a block scalar's final newline
            out.append(out[-1])
        if len(out) != len(self.text) + 1:
            return (self.loc,) * (len(self.text) + 1)
        return tuple(out)

    def _segments(self) -> list[tuple[int, int, str]]:
        lines = self.source_lines
        first = self.loc.line
        quote = 1 if self.style in ("'", '"') else 0
        if self.style in ("|", ">"):
            # the end mark of a block scalar lies on the next key's line: its own lines
            # are those after the indicator that are indented more than the key's line
            key_line = lines[first - 1] if first - 1 < len(lines) else ""
            key_indent = len(key_line) - len(key_line.lstrip())
            last = first
            for line_no in range(first + 1, self.end_line + 1):
                text = lines[line_no - 1] if line_no - 1 < len(lines) else ""
                if text.strip() and len(text) - len(text.lstrip()) <= key_indent:
                    break
                if text.strip():
                    last = line_no
            rows = range(first + 1, last + 1)
        else:
            rows = range(first, self.end_line + 1)
        segments: list[tuple[int, int, str]] = []
        for line_no in rows:
            if line_no - 1 >= len(lines):
                break
            raw = lines[line_no - 1]
            start = self.loc.col - 1 + quote if line_no == first else len(raw) - len(raw.lstrip())
            chunk = raw[start:].rstrip()
            if line_no == self.end_line and quote and chunk.endswith(("'", '"')):
                chunk = chunk[:-1]
            if not chunk and segments and self.style not in ("|", ">"):
                continue
            if chunk or self.style not in ("|", ">"):
                segments.append((line_no, start + 1, chunk))
        return segments


@dataclass(frozen=True)
class Entry:
    """One ``key: value`` pair of a mapping."""

    key: str
    key_loc: Location
    value: Node


@dataclass(frozen=True)
class MapNode(Node):
    """A mapping with string keys, in file order."""

    entries: tuple[Entry, ...]

    def get(self, key: str) -> Entry | None:
        """The entry for ``key``, or None."""
        for entry in self.entries:
            if entry.key == key:
                return entry
        return None


@dataclass(frozen=True)
class SeqNode(Node):
    """A sequence."""

    items: tuple[Node, ...]


_constructor = yaml.SafeLoader("")
# libyaml's composer is ~10x faster than the pure-Python one, with the same marks
_COMPOSER: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _location(file: str, mark: yaml.Mark) -> Location:
    return Location(file, mark.line + 1, mark.column + 1)


def _convert(file: str, node: yaml.Node, problems: Problems, lines: tuple[str, ...]) -> Node:
    loc = _location(file, node.start_mark)
    if isinstance(node, yaml.ScalarNode):
        try:
            value: Scalar = _constructor.construct_object(node, deep=True)
        except (ValueError, yaml.YAMLError) as exc:
            problems.add(loc, f"invalid value '{node.value}': {exc}")
            value = str(node.value)
        return ScalarNode(
            loc,
            value,
            str(node.value),
            node.style,
            node.end_mark.line + 1,
            lines,
        )
    if isinstance(node, yaml.SequenceNode):
        return SeqNode(loc, tuple(_convert(file, item, problems, lines) for item in node.value))
    if isinstance(node, yaml.MappingNode):
        entries: list[Entry] = []
        seen: dict[str, Location] = {}
        for key_node, value_node in node.value:
            key_loc = _location(file, key_node.start_mark)
            if (
                not isinstance(key_node, yaml.ScalarNode)
                or key_node.tag == "tag:yaml.org,2002:merge"
            ):
                problems.add(key_loc, "mapping keys must be plain names")
                continue
            key = str(key_node.value)
            if key in seen:
                problems.add(key_loc, f"duplicate key '{key}' (first at line {seen[key].line})")
                continue
            seen[key] = key_loc
            entries.append(Entry(key, key_loc, _convert(file, value_node, problems, lines)))
        return MapNode(loc, tuple(entries))
    raise TypeError(
        f"unexpected YAML node {node!r}"
    )  # pragma: no cover - composer yields only these


def parse_text(text: str, file: str, problems: Problems) -> Node | None:
    """Parse YAML ``text`` (named ``file`` in messages) into located nodes.

    Syntax errors are added to ``problems`` and None is returned.
    """
    try:
        try:
            root = yaml.compose(text, Loader=_COMPOSER)
        except yaml.YAMLError:  # the pure-Python parser words its errors better
            root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        loc = _location(file, mark) if mark else Location(file, 1, 1)
        what = exc.problem or exc.context or "invalid YAML"
        problems.add(loc, f"YAML syntax error: {what}")
        return None
    except yaml.YAMLError as exc:
        problems.add(Location(file, 1, 1), f"YAML error: {exc}")
        return None
    except ValueError as exc:  # e.g. a date literal like 2024-02-30
        problems.add(Location(file, 1, 1), f"YAML error: {exc}")
        return None
    if root is None:
        problems.add(Location(file, 1, 1), "file is empty")
        return None
    try:
        return _convert(file, root, problems, tuple(text.splitlines()))
    except (ValueError, yaml.YAMLError) as exc:
        problems.add(Location(file, 1, 1), f"YAML error: {exc}")
        return None


def parse_file(path: Path, shown_as: str, problems: Problems) -> Node | None:
    """Read and parse a YAML file; unreadable files are reported, not raised."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        problems.add(Location(shown_as, 1, 1), "file not found")
        return None
    except UnicodeDecodeError as exc:
        problems.add(Location(shown_as, 1, 1), f"not UTF-8 text ({exc.reason})")
        return None
    except OSError as exc:
        problems.add(Location(shown_as, 1, 1), f"cannot read file: {exc.strerror}")
        return None
    return parse_text(text, shown_as, problems)
