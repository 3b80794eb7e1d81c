"""Errors a user can act on: each names the file, row or field and what is wrong."""

from __future__ import annotations

from dataclasses import dataclass

MAX_REPORTED_PROBLEMS = 20


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input. ``where`` is e.g. 'row 17', 'line 3', 'header', 'file'."""

    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


class PodiumError(Exception):
    """Base of Podium's expected errors (shown to the user without a traceback)."""

    exit_code = 1


class InvalidPredictions(PodiumError):
    """A predictions file that cannot be scored. ``problems`` lists what is wrong, by row."""

    exit_code = 2

    def __init__(self, problems: list[Problem], total: int | None = None):
        self.problems = problems[:MAX_REPORTED_PROBLEMS]
        self.total = total if total is not None else len(problems)
        super().__init__(self.render())

    def render(self) -> str:
        lines = [str(p) for p in self.problems]
        if self.total > len(self.problems):
            lines.append(f"... and {self.total - len(self.problems)} more problems")
        head = "invalid predictions" if self.total == 1 else f"invalid predictions ({self.total} problems)"
        return head + ":\n  " + "\n  ".join(lines)


class BenchmarkError(PodiumError):
    """A benchmark that is missing, malformed or cannot be created as asked."""

    exit_code = 2


class UsageError(PodiumError):
    exit_code = 2
