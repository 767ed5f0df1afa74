"""Errors in a query: where (a JSON path such as ``filter.$and[1].clause.$gte``), what, and how to fix it."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class QueryProblem:
    """One thing wrong with a request body."""

    path: str
    code: str
    message: str

    def __post_init__(self):
        # A path or message may quote the caller's text: keep it printable and encodable.
        object.__setattr__(self, "path", printable(self.path))
        object.__setattr__(self, "message", printable(self.message))

    def as_dict(self) -> dict[str, str]:
        return asdict(self)


class QueryInvalid(Exception):
    """Every problem found in a request body (never only the first)."""

    def __init__(self, problems: Iterable[QueryProblem]):
        self.problems = list(problems)
        super().__init__("; ".join(f"{p.path or '(body)'}: {p.message}" for p in self.problems))


class QueryTimeout(Exception):
    """The query ran past the statement time limit (a 504 ``query_timeout``)."""

    def __init__(self, problems: Iterable[QueryProblem]):
        self.problems = list(problems)
        super().__init__("; ".join(p.message for p in self.problems))


def did_you_mean(word: str, choices: Iterable[str], *, limit: int = 3) -> str:
    """`` Did you mean "x" or "y"?`` for near misses, else an empty string."""
    if not isinstance(word, str) or not word:
        return ""
    close = difflib.get_close_matches(word, list(choices), n=limit, cutoff=0.6)
    if not close:
        return ""
    quoted = [f'"{choice}"' for choice in close]
    joined = quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " or " + quoted[-1]
    return f" Did you mean {joined}?"


def json_path(*parts: str | int) -> str:
    """``json_path("columns", 2, "variation_id")`` → ``columns[2].variation_id``."""
    path = ""
    for part in parts:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += f".{part}" if path else part
    return path


def printable(text: str) -> str:
    """``text`` without NUL characters or lone surrogates (which no JSON encoder or database accepts)."""
    return text.encode("utf-8", "backslashreplace").decode("utf-8").replace("\x00", "\\x00")


def is_storable(text: str) -> bool:
    """Whether the databases accept ``text`` as a parameter: UTF-8 encodable and without NUL."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return "\x00" not in text
