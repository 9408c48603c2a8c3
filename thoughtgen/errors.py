"""The one error type thoughtgen raises for problems a user can fix.

Every problem names the file and, where known, the line, so the CLI can print
``path:line: message`` for each of them and exit non-zero.
"""

from __future__ import annotations

import reprlib
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one input file."""

    path: str
    line: int | None
    message: str

    @property
    def sort_key(self) -> tuple[str, int, str]:
        return (self.path, self.line or 0, self.message)

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.message}"


class ThoughtgenError(Exception):
    """One or more problems with the user's input; nothing was written."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        super().__init__("\n".join(str(p) for p in self.problems))

    def __reduce__(self) -> tuple[type, tuple[tuple[Problem, ...]]]:
        return (type(self), (self.problems,))  # survives the trip back from a worker process

    @classmethod
    def single(cls, path: str, line: int | None, message: str) -> ThoughtgenError:
        return cls([Problem(path, line, message)])


class ProblemLog:
    """Collects problems and warnings while a stage runs, so all are reported together."""

    def __init__(self) -> None:
        self.errors: list[Problem] = []
        self.warnings: list[Problem] = []

    def error(self, path: str, line: int | None, message: str) -> None:
        self.errors.append(Problem(path, line, message))

    def warn(self, path: str, line: int | None, message: str) -> None:
        self.warnings.append(Problem(path, line, message))

    def raise_if_errors(self) -> None:
        if self.errors:
            raise ThoughtgenError(sorted(self.errors, key=lambda p: p.sort_key))


_SHOWN_LIMIT = 60


def shown(value: object, limit: int = _SHOWN_LIMIT) -> str:
    """``repr(value)`` cut to about ``limit`` characters, for quoting input in a message.

    Input can be arbitrarily large (a long line, a list of a million items); a message
    must stay one readable line, so nested values are summarised before they are printed.
    """
    short = reprlib.Repr()
    short.maxlevel = 2
    short.maxstring = short.maxother = limit
    short.maxlist = short.maxtuple = short.maxdict = short.maxset = 4
    text = short.repr(value)
    if len(text) <= limit:
        return text
    quote = text[0] if text[:1] in ("'", '"') else ""
    return text[: limit - 2] + "…" + quote
