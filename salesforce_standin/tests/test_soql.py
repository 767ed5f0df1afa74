"""The SOQL tokenizer and parser, without a server."""

import datetime as dt

import pytest

from salesforce_standin import soql
from salesforce_standin.errors import ApiError

UTC = dt.UTC


def test_parses_every_clause():
    query = soql.parse(
        "SELECT Id, Account.Name FROM Contact WHERE Email LIKE '%@acme.com' "
        "ORDER BY LastName DESC NULLS LAST, Id LIMIT 10 OFFSET 5"
    )
    assert query.object_name == "Contact"
    assert [p.text for p in query.fields] == ["Id", "Account.Name"]
    assert query.where == soql.Comparison(
        query.where.path, "LIKE", soql.Literal("string", soql.StringLiteral("%@acme.com", "%@acme.com"))
    )
    assert [(o.path.text, o.descending, o.nulls_last) for o in query.order_by] == [
        ("LastName", True, True),
        ("Id", False, False),
    ]
    assert (query.limit, query.offset) == (10, 5)


def test_keywords_are_case_insensitive():
    query = soql.parse("select id from account where name != null order by name asc nulls first limit 1")
    assert query.object_name == "account"
    assert query.where.op == "!="
    assert query.where.value == soql.Literal("null", None)


@pytest.mark.parametrize(
    ("text", "kind", "value"),
    [
        ("2024-01-15", "date", dt.date(2024, 1, 15)),
        ("2024-01-15T10:00:00Z", "datetime", dt.datetime(2024, 1, 15, 10, tzinfo=UTC)),
        ("2024-01-15T10:00:00+00:00", "datetime", dt.datetime(2024, 1, 15, 10, tzinfo=UTC)),
        ("2024-01-15T12:30:00+02:30", "datetime", dt.datetime(2024, 1, 15, 10, tzinfo=UTC)),
        ("2024-01-15T10:00:00.250-0100", "datetime", dt.datetime(2024, 1, 15, 11, 0, 0, 250000, tzinfo=UTC)),
        ("42", "number", 42),
        ("-3.5", "number", -3.5),
        ("true", "boolean", True),
        ("FALSE", "boolean", False),
        ("null", "null", None),
    ],
)
def test_literals(text, kind, value):
    query = soql.parse(f"SELECT Id FROM Account WHERE X = {text}")
    assert query.where.value == soql.Literal(kind, value)


@pytest.mark.parametrize(
    ("literal", "value", "raw"),
    [
        (r"'O\'Brien'", "O'Brien", r"O\'Brien"),
        (r"'back\\slash'", "back\\slash", r"back\\slash"),
        (r"'line\nbreak'", "line\nbreak", r"line\nbreak"),
        (r"'100\%'", "100%", r"100\%"),
        (r"'snake\_case'", "snake_case", r"snake\_case"),
        (r"'caf\u00e9'", "café", "café"),
        ("'say \"hi\"'", 'say "hi"', 'say "hi"'),
    ],
)
def test_string_escapes(literal, value, raw):
    query = soql.parse(f"SELECT Id FROM Account WHERE Name = {literal}")
    assert query.where.value.value == soql.StringLiteral(value, raw)


def test_in_not_in_and_not():
    query = soql.parse("SELECT Id FROM Lead WHERE NOT (Status IN ('A', 'B') AND Email NOT IN ('x@y.com'))")
    assert isinstance(query.where, soql.Not)
    inner = query.where.operand
    assert inner.op == "AND"
    assert inner.operands[0].op == "IN"
    assert [v.value.value for v in inner.operands[0].value] == ["A", "B"]
    assert inner.operands[1].op == "NOT IN"


def test_parentheses_group_conditions():
    query = soql.parse("SELECT Id FROM Account WHERE (A = 1 OR B = 2) AND C = 3")
    assert query.where.op == "AND"
    assert query.where.operands[0].op == "OR"


def test_count():
    query = soql.parse("SELECT COUNT() FROM Contact WHERE AccountId != null")
    assert query.count and query.fields == ()


@pytest.mark.parametrize(
    "text",
    [
        "SELECT FROM Account",
        "SELECT Id Account",
        "SELECT Id FROM",
        "SELECT Id FROM Account WHERE",
        "SELECT Id FROM Account WHERE Name = 'unterminated",
        "SELECT Id FROM Account WHERE Name = 'bad \\q escape'",
        "SELECT Id FROM Account WHERE A = 1 AND B = 2 OR C = 3",  # SOQL needs parentheses here
        "SELECT Id FROM Account WHERE (A = 1",
        "SELECT Id FROM Account WHERE Name LIKE 5",
        "SELECT Id FROM Account WHERE Name IN ()",
        "SELECT Id FROM Account LIMIT ten",
        "SELECT Id FROM Account LIMIT 1.5",
        "SELECT Id FROM Account ORDER Name",
        "SELECT Id FROM Account WHERE CreatedDate > 2024-13-45",
        "SELECT Id FROM Account GROUP BY Name",
        "SELECT Id FROM Account WHERE Name = 'x' extra",
        "SELECT Id FROM Account WHERE Name # 'x'",
        "",
    ],
)
def test_malformed_queries(text):
    with pytest.raises(ApiError) as caught:
        soql.parse(text)
    assert caught.value.code == "MALFORMED_QUERY"
    assert caught.value.status == 400


def test_errors_point_at_the_offending_token():
    with pytest.raises(ApiError) as caught:
        soql.parse("SELECT Id FROM Account WHERE A = 1 AND B = 2 OR C = 3")
    assert "ERROR at Row:1:Column:46" in caught.value.message
    assert "unexpected token: 'OR'" in caught.value.message
