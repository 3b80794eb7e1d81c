"""Errors a user can act on: each names the file, row or field and what is wrong."""

from __future__ import annotations

import reprlib
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


MAX_QUOTED_CHARS = 40


def quote(value: object, limit: int = MAX_QUOTED_CHARS) -> str:
    """``repr`` of at most a short prefix of ``value``: messages never echo a whole (hostile) value."""
    text = value if isinstance(value, str) else repr(value)
    if len(text) <= limit:
        return repr(text) if isinstance(value, str) else text
    shown = repr(text[:limit]) if isinstance(value, str) else text[:limit]
    return f"{shown}... ({len(text)} characters)"


def _short_repr() -> reprlib.Repr:
    short = reprlib.Repr()
    short.maxlevel = 3
    short.maxlist = short.maxtuple = short.maxdict = short.maxset = 6
    short.maxstring = short.maxother = short.maxlong = MAX_QUOTED_CHARS
    return short


_SHORT_REPR = _short_repr()


def quote_value(value: object, limit: int = MAX_QUOTED_CHARS) -> str:
    """``quote`` for any parsed value (a JSON list, object, number...): the repr of a huge or deeply
    nested structure is never built whole, only a bounded one (``reprlib``), then cut to ``limit``."""
    if isinstance(value, str):
        return quote(value, limit)
    text = _SHORT_REPR.repr(value)
    return text if len(text) <= limit else f"{text[:limit]}..."


class InvalidField(PodiumError):
    """A field of a request (JSON body, form, result file) that is out of range or malformed."""

    exit_code = 2

    def __init__(self, field: str, message: str):
        self.field = field
        self.message = message
        super().__init__(f"{field}: {message}")


class Forbidden(PodiumError):
    """An identity asking to change what it does not own (another org's model, another's submission)."""

    exit_code = 2


class Conflict(PodiumError):
    """A name or object that collides with an existing one."""

    exit_code = 2


class QuotaExceeded(PodiumError):
    """A submitter over a per-day or queued limit; ``retry_after`` in seconds."""

    exit_code = 2

    def __init__(self, message: str, retry_after: int = 3600):
        self.retry_after = retry_after
        super().__init__(message)


class NotFound(PodiumError):
    """A named thing (benchmark, submission, model) that does not exist."""

    exit_code = 2


class UnknownBenchmark(NotFound, BenchmarkError):
    """No benchmark of that id or name."""


class TooLarge(PodiumError):
    """An upload or body over its byte limit."""

    exit_code = 2


class Unauthenticated(PodiumError):
    """A request that needs a token and came without a valid one (none, unknown, expired or revoked)."""

    exit_code = 2


class Problems:
    """The problems of one predictions file: every one counted, the first ``keep`` kept with their
    messages (a file with a million bad rows gets a short, bounded report)."""

    def __init__(self, keep: int = 20):
        self.keep = keep
        self.kept: list[Problem] = []
        self.total = 0

    def add(self, where, message) -> None:
        """``where`` and ``message``: text, or functions making it (called only for a kept problem:
        a million bad rows cost a count each, not a million messages)."""
        self.total += 1
        if len(self.kept) < self.keep:
            self.kept.append(
                Problem(where() if callable(where) else where, message() if callable(message) else message)
            )

    def raise_if_any(self) -> None:
        if self.total:
            raise InvalidPredictions(self.kept, total=self.total)
