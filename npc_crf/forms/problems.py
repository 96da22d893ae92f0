"""Problems found while loading definitions, each with a file position."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, order=True)
class Location:
    """A position in a definition file; ``line`` and ``col`` count from 1."""

    file: str
    line: int
    col: int

    def shifted(self, columns: int) -> Location:
        """The location ``columns`` characters further along the same line."""
        return Location(self.file, self.line, self.col + columns)

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.col}"


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with a definition, at a place."""

    location: Location
    message: str

    def __str__(self) -> str:
        return f"{self.location}: {self.message}"


@dataclass
class Problems:
    """Collects problems; a loader stage reports into one and goes on."""

    items: list[Problem] = field(default_factory=list)

    def add(self, location: Location, message: str) -> None:
        """Record a problem at ``location``."""
        self.items.append(Problem(location, message))

    def __bool__(self) -> bool:
        return bool(self.items)

    def __len__(self) -> int:
        return len(self.items)

    def sorted(self) -> list[Problem]:
        """The problems in file, line, column order, without repeats."""
        return sorted(set(self.items))


class DefinitionError(Exception):
    """Definitions that could not be loaded; ``problems`` lists every reason."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))
