"""The validation report: every problem found in an upload, with a message in Swedish and English."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

from datatorget.errors import DatatorgetError

MAX_LISTED = 1000  # problems listed one by one; counts stay exact beyond that


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an upload. `row` is the data row (1 = the first row under the header),
    `line` the line of the file, where known."""

    code: str
    sv: str
    en: str
    row: int | None = None
    line: int | None = None
    column: str | None = None
    value: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {name: value for name, value in asdict(self).items() if value is not None}


@dataclass
class Report:
    """What a validation found. `counts` are exact per problem code; `problems` lists up to MAX_LISTED."""

    problems: list[Problem] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)

    @classmethod
    def of(cls, problems: Iterable[Problem]) -> Report:
        """A report of these problems, each counted once."""
        report = cls()
        for problem in problems:
            report.add(problem)
        return report

    def add(self, problem: Problem, count: int = 1) -> None:
        self.counts[problem.code] = self.counts.get(problem.code, 0) + count
        if len(self.problems) < MAX_LISTED:
            self.problems.append(problem)

    @property
    def error_count(self) -> int:
        return sum(count for code, count in self.counts.items() if code not in WARNINGS)

    def as_dict(self) -> dict[str, Any]:
        return {
            "valid": self.error_count == 0,
            "error_count": self.error_count,
            "counts": dict(sorted(self.counts.items())),
            "problems": [problem.as_dict() for problem in self.problems],
        }


# Codes that describe what was done to the upload rather than data that was lost.
WARNINGS = frozenset({"renamed_column", "title_rows_skipped", "footer_rows_skipped"})


class IngestionFailed(DatatorgetError):
    """An upload that cannot become a table version, said in plain language in both languages."""

    status = 422

    def __init__(self, code: str, *, sv: str, en: str, report: Report | None = None) -> None:
        super().__init__(en)
        self.code = code
        self.sv = sv
        self.en = en
        self.report = report

    def as_dict(self) -> dict[str, str]:
        return {"code": self.code, "sv": self.sv, "en": self.en}
