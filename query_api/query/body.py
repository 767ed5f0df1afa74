"""Read a query body's JSON text without losing or hiding anything.

``json.loads`` keeps the last of two equal keys (the first silently vanishes) and fails with a
``RecursionError`` on deep nesting (reported as "not valid JSON"). A first, iterative pass over the
text finds both and names the path; only a body that passes it is decoded.
"""

from __future__ import annotations

import json
import re
from json.decoder import scanstring
from typing import Any

from .errors import QueryInvalid, QueryProblem, json_path
from .parse import LOGICAL, MAX_FILTER_DEPTH

# Deep enough for a filter nested to its limit (two containers per $and/$or level, plus the
# attribute and clause); well below what json.loads can decode without recursing too deep.
MAX_JSON_DEPTH = 2 * MAX_FILTER_DEPTH + 16
STRUCTURE = re.compile(r'[{}\[\],:"]')


def read_json_body(text: str) -> Any:
    """The decoded body; raises ``QueryInvalid`` for duplicate keys, too deep nesting or bad JSON."""
    problems = _structure_problems(text)
    if problems:
        raise QueryInvalid(problems)
    try:
        return json.loads(text, parse_constant=_reject_constant)
    except (ValueError, RecursionError) as error:
        where = (
            f" (line {error.lineno}, column {error.colno})" if isinstance(error, json.JSONDecodeError) else ""
        )
        raise QueryInvalid(
            [
                QueryProblem(
                    "",
                    "invalid_json",
                    f'The body is not valid JSON{where}: send a JSON object like {{"columns": [...]}}.',
                )
            ]
        ) from None


def _reject_constant(name: str):
    raise ValueError(f"{name} is not a JSON number")


class _Frame:
    __slots__ = ("is_object", "key", "index", "keys", "expect_key")

    def __init__(self, is_object: bool):
        self.is_object = is_object
        self.key: str | None = None
        self.index = 0
        self.keys: set[str] = set()
        self.expect_key = is_object


def _structure_problems(text: str) -> list[QueryProblem]:
    """Duplicate keys and nesting past ``MAX_JSON_DEPTH``, by path. Text that is not JSON is left
    for the decoder to report (with its line and column)."""
    stack: list[_Frame] = []
    problems: list[QueryProblem] = []
    depth, position = 0, 0
    while True:
        found = STRUCTURE.search(text, position)
        if found is None:
            # Unbalanced brackets: not JSON, which the decoder reports with its line and column.
            return problems if depth == 0 else []
        char, position = found.group(), found.end()
        if char in "{[":
            depth += 1
            if depth > MAX_JSON_DEPTH:
                if depth == MAX_JSON_DEPTH + 1 and not any(p.code == "too_deep" for p in problems):
                    stack.append(_Frame(char == "{"))
                    problems.append(_too_deep(_parts(stack)))
                    stack.pop()
                continue
            stack.append(_Frame(char == "{"))
            continue
        if char in "}]":
            if depth == 0:
                return []
            depth -= 1
            if depth < MAX_JSON_DEPTH:
                stack.pop()
            continue
        top = stack[-1] if stack and depth <= MAX_JSON_DEPTH else None
        if char == ",":
            if top is not None:
                top.index += 1
                top.expect_key = top.is_object
        elif char == ":":
            if top is not None:
                top.expect_key = False
        else:  # a string
            try:
                value, position = scanstring(text, position)
            except ValueError:
                return []
            if top is not None and top.is_object and top.expect_key:
                top.key = value
                if value in top.keys:
                    path = json_path(*_parts(stack), value)
                    problems.append(
                        QueryProblem(
                            path,
                            "duplicate_key",
                            f'"{value}" appears twice in the same object; keep one (JSON readers disagree on which one wins).',
                        )
                    )
                top.keys.add(value)


def _parts(stack: list[_Frame]) -> list[str | int]:
    """The path to the innermost container of ``stack``: each parent's current key or index."""
    parts: list[str | int] = []
    for frame in stack[:-1]:
        parts.append(frame.key if frame.is_object else frame.index)
    return parts


def _too_deep(parts: list[str | int]) -> QueryProblem:
    if parts and parts[0] == "filter":
        # Name the node the filter reader would: the first one nested past the limit.
        levels, cut = 1, len(parts)
        for index, part in enumerate(parts):
            if part in LOGICAL:
                levels += 1
                if levels > MAX_FILTER_DEPTH:
                    cut = index + 1 + (part != "$not")
                    break
        return QueryProblem(
            json_path(*parts[:cut]), "too_deep", f"Filters nest at most {MAX_FILTER_DEPTH} levels deep."
        )
    return QueryProblem(
        json_path(*parts), "too_deep", f"The body nests more than {MAX_JSON_DEPTH} levels deep."
    )
