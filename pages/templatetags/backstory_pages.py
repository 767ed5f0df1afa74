"""Small template helpers of the Backstory pages."""

import re

from django import template
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe

from pages.metrics import format_minutes

register = template.Library()


@register.filter
def highlight(text, query):
    """``text`` escaped, with each case-insensitive occurrence of a word of ``query`` wrapped in <mark>
    (words in any order: "wayne analytics" marks both in "Wayne Financial - Analytics Expansion")."""
    text = "" if text is None else str(text)
    query = (query or "").strip()
    if len(query) < 2:
        return escape(text)
    words = sorted({w.removeprefix("www.") for w in query.split() if w}, key=len, reverse=True)
    pattern = "(" + "|".join(re.escape(w) for w in words) + ")"
    parts = re.split(pattern, text, flags=re.IGNORECASE)
    return mark_safe(
        "".join(
            format_html("<mark>{}</mark>", part) if i % 2 else escape(part) for i, part in enumerate(parts)
        )
    )


@register.filter
def initials(name):
    """Up to two initials of a person's name (for the avatar), or "?"."""
    words = [w for w in re.split(r"[\s.@_-]+", str(name or "")) if w and w[0].isalpha()]
    return ("".join(w[0] for w in words[:2]) or "?").upper()


@register.filter
def embed_input(token):
    """A hidden ``embed`` input that keeps an embedded page signed in through a GET form."""
    if not token:
        return ""
    return format_html('<input type="hidden" name="embed" value="{}">', token)


@register.filter
def minutes(value):
    """Minutes as a rep reads them: "45 min", "3 h", "12 h 30 min"."""
    return format_minutes(value)
