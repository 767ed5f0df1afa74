"""The page's template helpers (no database)."""

import pytest

from pages.templatetags.backstory_pages import highlight, initials


@pytest.mark.parametrize(
    "text, query, html",
    [
        ("Northwind", "north", "<mark>North</mark>wind"),
        ("a-b a-b", "a-b", "<mark>a-b</mark> <mark>a-b</mark>"),
        ("<b>xy</b>", "xy", "&lt;b&gt;<mark>xy</mark>&lt;/b&gt;"),
        ("Northwind", "n", "Northwind"),
        (None, "ab", ""),
    ],
)
def test_highlight(text, query, html):
    assert str(highlight(text, query)) == html


@pytest.mark.parametrize(
    "name, letters",
    [
        ("Dana Rivera", "DR"),
        ("jordan.lee@acme.com", "JL"),
        ("Cher", "C"),
        ("", "?"),
        ("Mary Ann Smith", "MA"),
    ],
)
def test_initials(name, letters):
    assert initials(name) == letters
