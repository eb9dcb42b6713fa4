"""Located problems in a scenario: every mistake names the file, the line and a fix."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One mistake in a scenario file."""

    file: str
    line: int | None
    message: str
    hint: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line is not None else self.file
        return f"{where}: {self.message} — {self.hint}"


class ScenarioError(ValueError):
    """A scenario with one or more problems; ``problems`` lists all of them, in file order."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = sorted(set(problems), key=lambda p: (p.file, p.line or 0, p.message))  # each once
        count = len(self.problems)
        heading = f"{count} problem{'s' if count != 1 else ''} in the scenario"
        super().__init__("\n".join([heading, *map(str, self.problems)]))
