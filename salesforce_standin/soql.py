"""A tokenizer and recursive-descent parser for the SOQL subset the sync uses.

    query      := SELECT select FROM name [WHERE condition] [ORDER BY order (',' order)*]
                  [LIMIT integer] [OFFSET integer]
    select     := COUNT '(' ')' | path (',' path)*
    condition  := unary ((AND unary)* | (OR unary)*)        -- no AND/OR mix without parentheses
    unary      := NOT unary | '(' condition ')' | path comparison
    comparison := op literal | [NOT] IN '(' literal (',' literal)* ')' | LIKE string
    order      := path [ASC | DESC] [NULLS (FIRST | LAST)]
    literal    := string | number | date | datetime | NULL | TRUE | FALSE

The parser knows nothing about the schema; `query.py` binds the tree to it. Errors are
ApiError MALFORMED_QUERY with the position, as Salesforce reports them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from .errors import ApiError, malformed_query
from .values import parse_date, parse_datetime

KEYWORDS = {
    "SELECT",
    "FROM",
    "WHERE",
    "AND",
    "OR",
    "NOT",
    "IN",
    "LIKE",
    "ORDER",
    "BY",
    "ASC",
    "DESC",
    "NULLS",
    "FIRST",
    "LAST",
    "LIMIT",
    "OFFSET",
    "NULL",
    "TRUE",
    "FALSE",
    "COUNT",
}

_TOKEN_RE = re.compile(
    r"""
    (?P<ws>\s+)
  | (?P<datetime>\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,6})?(?:Z|[+-]\d{2}:?\d{2}))
  | (?P<date>\d{4}-\d{2}-\d{2})
  | (?P<number>\d+(?:\.\d+)?)
  | (?P<name>[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)
  | (?P<op><=|>=|!=|<>|=|<|>)
  | (?P<punct>[(),+-])
  | (?P<quote>')
    """,
    re.VERBOSE,
)
_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", "b": "\b", "f": "\f", '"': '"', "'": "'", "\\": "\\"}


@dataclass(frozen=True)
class Token:
    kind: str  # keyword, name, string, number, date, datetime, op, punct, eof
    value: Any
    position: int  # 0-based offset into the query text
    text: str = ""


@dataclass(frozen=True)
class StringLiteral:
    """A quoted string. `raw` keeps LIKE escapes (\\% and \\_) so wildcards stay distinguishable."""

    value: str
    raw: str


@dataclass(frozen=True)
class Literal:
    kind: str  # string, number, date, datetime, null, boolean
    value: Any


@dataclass(frozen=True)
class Path:
    """A field reference as typed: `Name`, `Account.Owner.Email`."""

    parts: tuple[str, ...]
    position: int

    @property
    def text(self) -> str:
        return ".".join(self.parts)


@dataclass(frozen=True)
class Comparison:
    path: Path
    op: str  # = != <> < <= > >=, IN, NOT IN or LIKE
    value: Literal | tuple[Literal, ...]


@dataclass(frozen=True)
class Not:
    operand: Condition


@dataclass(frozen=True)
class BoolOp:
    op: str  # AND / OR
    operands: tuple[Condition, ...]


Condition = Comparison | Not | BoolOp


@dataclass(frozen=True)
class OrderItem:
    path: Path
    descending: bool = False
    nulls_last: bool = False  # SOQL sorts nulls first unless told otherwise


@dataclass(frozen=True)
class Query:
    object_name: str
    object_position: int
    fields: tuple[Path, ...]  # empty for SELECT COUNT()
    count: bool
    where: Condition | None
    order_by: tuple[OrderItem, ...]
    limit: int | None
    offset: int | None


def tokenize(text: str) -> list[Token]:
    """Split SOQL into tokens; MALFORMED_QUERY on characters or strings it cannot read."""
    tokens: list[Token] = []
    position = 0
    while position < len(text):
        match = _TOKEN_RE.match(text, position)
        if not match:
            raise _error(text, position, f"unexpected token: '{text[position]}'")
        kind = match.lastgroup
        chunk = match.group()
        if kind == "quote":
            literal, position = _read_string(text, position)
            tokens.append(Token("string", literal, match.start(), text[match.start() : position]))
            continue
        position = match.end()
        if kind == "ws":
            continue
        if kind == "name" and "." not in chunk and chunk.upper() in KEYWORDS:
            tokens.append(Token("keyword", chunk.upper(), match.start(), chunk))
        elif kind == "number":
            value: Any = float(chunk) if "." in chunk else int(chunk)
            tokens.append(Token("number", value, match.start(), chunk))
        elif kind == "date":
            try:
                tokens.append(Token("date", parse_date(chunk), match.start(), chunk))
            except ValueError:
                raise _error(
                    text,
                    match.start(),
                    f"line 1:{match.start()} no viable alternative at character '{chunk}'",
                ) from None
        elif kind == "datetime":
            try:
                tokens.append(Token("datetime", parse_datetime(chunk), match.start(), chunk))
            except ValueError:
                raise _error(
                    text,
                    match.start(),
                    f"line 1:{match.start()} no viable alternative at character '{chunk}'",
                ) from None
        else:
            tokens.append(Token(kind, chunk, match.start(), chunk))
    tokens.append(Token("eof", None, len(text), ""))
    return tokens


def _read_string(text: str, start: int) -> tuple[StringLiteral, int]:
    value: list[str] = []
    raw: list[str] = []
    position = start + 1
    while position < len(text):
        char = text[position]
        if char == "'":
            return StringLiteral("".join(value), "".join(raw)), position + 1
        if char == "\\":
            if position + 1 >= len(text):
                break
            escaped = text[position + 1]
            if escaped in _ESCAPES:
                value.append(_ESCAPES[escaped])
                raw.append("\\" + escaped)
                position += 2
            elif escaped in "%_":
                value.append(escaped)
                raw.append("\\" + escaped)
                position += 2
            elif escaped == "u" and re.fullmatch(r"[0-9a-fA-F]{4}", text[position + 2 : position + 6]):
                decoded = chr(int(text[position + 2 : position + 6], 16))
                value.append(decoded)
                raw.append(decoded)
                position += 6
            else:
                raise _error(
                    text,
                    position,
                    "Invalid string literal '\\"
                    + escaped
                    + "'. Illegal character sequence '\\"
                    + escaped
                    + "' in string literal.",
                )
            continue
        value.append(char)
        raw.append(char)
        position += 1
    raise _error(text, start, f"line 1:{len(text)} mismatched character '<EOF>' expecting '''")


def _error(text: str, position: int, message: str) -> ApiError:
    line = text.count("\n", 0, position) + 1
    column = position - (text.rfind("\n", 0, position) + 1) + 1
    return malformed_query(f"\n{text}\n{' ' * (column - 1)}^\nERROR at Row:{line}:Column:{column}\n{message}")


class Parser:
    """Recursive-descent parser over the token list of one query."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = tokenize(text)
        self.index = 0

    # -- token helpers -------------------------------------------------------------------
    @property
    def current(self) -> Token:
        return self.tokens[self.index]

    def advance(self) -> Token:
        token = self.tokens[self.index]
        self.index += 1
        return token

    def at_keyword(self, *words: str) -> bool:
        return self.current.kind == "keyword" and self.current.value in words

    def accept_keyword(self, word: str) -> bool:
        if self.at_keyword(word):
            self.advance()
            return True
        return False

    def expect_keyword(self, word: str) -> Token:
        if not self.at_keyword(word):
            self.fail(f"expecting '{word}'")
        return self.advance()

    def expect_punct(self, char: str) -> Token:
        if not (self.current.kind == "punct" and self.current.value == char):
            self.fail(f"expecting '{char}'")
        return self.advance()

    def fail(self, expected: str = "") -> None:
        token = self.current
        found = "<EOF>" if token.kind == "eof" else token.text
        message = f"unexpected token: '{found}'" if token.kind != "eof" else "unexpected token: <EOF>"
        if expected and token.kind == "eof":
            message += f" {expected}"
        raise _error(self.text, token.position, message)

    # -- grammar -------------------------------------------------------------------------
    def parse(self) -> Query:
        self.expect_keyword("SELECT")
        count = False
        fields: list[Path] = []
        if self.at_keyword("COUNT"):
            self.advance()
            self.expect_punct("(")
            self.expect_punct(")")
            count = True
        else:
            fields.append(self.path())
            while self.current.kind == "punct" and self.current.value == ",":
                self.advance()
                fields.append(self.path())
        self.expect_keyword("FROM")
        if self.current.kind != "name" or "." in self.current.value:
            self.fail("expecting an object name")
        object_token = self.advance()
        where = None
        if self.accept_keyword("WHERE"):
            where = self.condition()
        order: list[OrderItem] = []
        if self.accept_keyword("ORDER"):
            self.expect_keyword("BY")
            order.append(self.order_item())
            while self.current.kind == "punct" and self.current.value == ",":
                self.advance()
                order.append(self.order_item())
        limit = self.integer_clause("LIMIT")
        offset = self.integer_clause("OFFSET")
        if self.current.kind != "eof":
            self.fail()
        return Query(
            object_token.value,
            object_token.position,
            tuple(fields),
            count,
            where,
            tuple(order),
            limit,
            offset,
        )

    def integer_clause(self, keyword: str) -> int | None:
        if not self.accept_keyword(keyword):
            return None
        token = self.current
        if token.kind != "number" or not isinstance(token.value, int):
            self.fail(f"expecting an integer after {keyword}")
        self.advance()
        return token.value

    def path(self) -> Path:
        token = self.current
        if token.kind != "name":
            self.fail("expecting a field name")
        self.advance()
        return Path(tuple(token.value.split(".")), token.position)

    def order_item(self) -> OrderItem:
        path = self.path()
        descending = False
        if self.accept_keyword("DESC"):
            descending = True
        else:
            self.accept_keyword("ASC")
        nulls_last = False
        if self.accept_keyword("NULLS"):
            if self.accept_keyword("LAST"):
                nulls_last = True
            else:
                self.expect_keyword("FIRST")
        return OrderItem(path, descending, nulls_last)

    def condition(self) -> Condition:
        operands = [self.unary()]
        connective: str | None = None
        while self.at_keyword("AND", "OR"):
            word = self.current.value
            if connective and word != connective:
                # SOQL refuses `a AND b OR c`: the grouping must be spelled out.
                self.fail()
            connective = word
            self.advance()
            operands.append(self.unary())
        if connective is None:
            return operands[0]
        return BoolOp(connective, tuple(operands))

    def unary(self) -> Condition:
        if self.accept_keyword("NOT"):
            return Not(self.unary())
        if self.current.kind == "punct" and self.current.value == "(":
            self.advance()
            inner = self.condition()
            self.expect_punct(")")
            return inner
        return self.comparison()

    def comparison(self) -> Comparison:
        path = self.path()
        token = self.current
        if token.kind == "op":
            self.advance()
            return Comparison(path, token.value, self.literal())
        if self.accept_keyword("LIKE"):
            value = self.literal()
            if value.kind != "string":
                raise _error(self.text, token.position, "LIKE operator requires a string literal")
            return Comparison(path, "LIKE", value)
        negated = self.accept_keyword("NOT")
        if self.accept_keyword("IN"):
            self.expect_punct("(")
            values = [self.literal()]
            while self.current.kind == "punct" and self.current.value == ",":
                self.advance()
                values.append(self.literal())
            self.expect_punct(")")
            return Comparison(path, "NOT IN" if negated else "IN", tuple(values))
        self.fail("expecting an operator")
        raise AssertionError("unreachable")

    def literal(self) -> Literal:
        token = self.current
        if token.kind == "string":
            self.advance()
            return Literal("string", token.value)
        if token.kind == "punct" and token.value in "+-":
            self.advance()
            number = self.current
            if number.kind != "number":
                self.fail("expecting a number")
            self.advance()
            return Literal("number", -number.value if token.value == "-" else number.value)
        if token.kind == "number":
            self.advance()
            return Literal("number", token.value)
        if token.kind in ("date", "datetime"):
            self.advance()
            return Literal(token.kind, token.value)
        if token.kind == "keyword" and token.value in ("NULL", "TRUE", "FALSE"):
            self.advance()
            if token.value == "NULL":
                return Literal("null", None)
            return Literal("boolean", token.value == "TRUE")
        self.fail("expecting a value")
        raise AssertionError("unreachable")


def parse(text: str) -> Query:
    """Parse one SOQL query (ApiError MALFORMED_QUERY when it is not valid SOQL)."""
    if not text or not text.strip():
        raise malformed_query("empty query")
    return Parser(text).parse()


__all__ = [
    "BoolOp",
    "Comparison",
    "Condition",
    "Literal",
    "Not",
    "OrderItem",
    "Path",
    "Query",
    "StringLiteral",
    "Token",
    "parse",
    "tokenize",
]
