"""Text for CSV cells that people open in spreadsheets."""

from __future__ import annotations

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def formula_safe(text: str) -> str:
    """``text``, with a leading ``'`` when it would otherwise run as a spreadsheet formula.

    Names, titles and subjects come from outside mail and from the CRM: a title of
    ``=HYPERLINK(...)`` must reach Excel as text. Numbers are not passed through here.
    """
    return "'" + text if text.startswith(_FORMULA_STARTS) else text
