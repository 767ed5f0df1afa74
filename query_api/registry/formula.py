"""Derived-metric formulas: ``ootb_emails_sent / ootb_meetings_held``, parsed safely and compiled to SQL.

The text is parsed with Python's ``ast`` module and only a whitelist is accepted: numbers, metric
slugs (optionally followed by a period, ``ootb_emails_sent_last_30_days``), ``+ - * /`` and
parentheses. Nothing is ever evaluated in Python. Division by zero gives null.
"""

from __future__ import annotations

import ast
import math
from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Expression, ExpressionWrapper, FloatField, Value
from django.db.models.functions import Cast

from .sql import ratio

MAX_LENGTH = 500
MAX_TERMS = 50
MAX_NUMBER = 10**15


class FormulaError(ValueError):
    """A formula that cannot be accepted, with a message for the admin who wrote it."""


@dataclass(frozen=True)
class Reference:
    """A metric named in a formula: the name as written and where."""

    name: str
    column: int


def parse_formula(text: str) -> ast.expr:
    """The formula's syntax tree, after checking every node is on the whitelist."""
    text = (text or "").strip()
    if not text:
        raise FormulaError("Write a formula, e.g. ootb_emails_sent / ootb_meetings_held.")
    if len(text) > MAX_LENGTH:
        raise FormulaError(f"A formula is at most {MAX_LENGTH} characters.")
    try:
        tree = ast.parse(text, mode="eval")
    except (SyntaxError, ValueError, RecursionError, MemoryError) as error:
        where = f" at character {error.offset}" if isinstance(error, SyntaxError) and error.offset else ""
        raise FormulaError(
            f"The formula is not valid arithmetic{where}: use numbers, metric slugs, + - * / and parentheses."
        ) from None
    _check(tree.body)
    if len(references(tree.body)) > MAX_TERMS:
        raise FormulaError(f"A formula names at most {MAX_TERMS} metrics.")
    return tree.body


def _check(node: ast.AST) -> None:
    if isinstance(node, ast.BinOp):
        if not isinstance(node.op, (ast.Add, ast.Sub, ast.Mult, ast.Div)):
            raise FormulaError(
                f"Only + - * / are allowed, not {_describe(node.op)} (character {node.col_offset + 1})."
            )
        _check(node.left)
        _check(node.right)
    elif isinstance(node, ast.UnaryOp):
        if not isinstance(node.op, (ast.USub, ast.UAdd)):
            raise FormulaError(
                f"Only a leading + or - is allowed, not {_describe(node.op)} (character {node.col_offset + 1})."
            )
        _check(node.operand)
    elif isinstance(node, ast.Constant):
        value = node.value
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise FormulaError(
                f"{value!r} is not a number (character {node.col_offset + 1}); only numbers and metric slugs are allowed."
            )
        if (isinstance(value, float) and not math.isfinite(value)) or abs(value) > MAX_NUMBER:
            raise FormulaError(
                f"Numbers in a formula are at most {MAX_NUMBER:.0e} (character {node.col_offset + 1})."
            )
    elif isinstance(node, ast.Name):
        return
    else:
        raise FormulaError(
            f"{_describe(node)} is not allowed (character {node.col_offset + 1}): use numbers, metric slugs, + - * / and parentheses."
        )


def _describe(node: ast.AST) -> str:
    names = {
        "Pow": "** (power)",
        "Mod": "% (modulo)",
        "FloorDiv": "// (floor division)",
        "Call": "A function call",
        "Attribute": "An attribute (.)",
        "Subscript": "Indexing ([])",
        "Compare": "A comparison",
        "BoolOp": "and/or",
        "Not": "not",
        "Invert": "~",
        "BitAnd": "&",
        "BitOr": "|",
        "BitXor": "^",
        "LShift": "<<",
        "RShift": ">>",
        "MatMult": "@",
        "IfExp": "if/else",
        "Lambda": "lambda",
    }
    return names.get(type(node).__name__, type(node).__name__)


def references(node: ast.AST) -> list[Reference]:
    """The metric names a parsed formula uses, in order."""
    return [Reference(n.id, n.col_offset + 1) for n in ast.walk(node) if isinstance(n, ast.Name)]


def compile_formula(node: ast.AST, resolve: Callable[[Reference], Expression]) -> Expression:
    """The SQL expression of a checked formula; ``resolve`` turns each metric name into its expression."""
    if isinstance(node, ast.Constant):
        return Value(float(node.value), output_field=FloatField())
    if isinstance(node, ast.Name):
        return Cast(resolve(Reference(node.id, node.col_offset + 1)), FloatField())
    if isinstance(node, ast.UnaryOp):
        operand = compile_formula(node.operand, resolve)
        if isinstance(node.op, ast.USub):
            return ExpressionWrapper(
                Value(0.0, output_field=FloatField()) - operand, output_field=FloatField()
            )
        return operand
    if isinstance(node, ast.BinOp):
        left, right = compile_formula(node.left, resolve), compile_formula(node.right, resolve)
        if isinstance(node.op, ast.Div):
            return ratio(left, right)
        if isinstance(node.op, ast.Add):
            combined = left + right
        elif isinstance(node.op, ast.Sub):
            combined = left - right
        else:
            combined = left * right
        return ExpressionWrapper(combined, output_field=FloatField())
    raise FormulaError(f"{_describe(node)} is not allowed.")
