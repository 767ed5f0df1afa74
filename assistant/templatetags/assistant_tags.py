"""Render an assistant answer: escaped text, "- " lines as a list, [n] markers as links to their sources."""

import re

from django import template
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe

register = template.Library()
_MARKER = re.compile(r"\[(\d{1,3})\]")


def _link_markers(line: str, citations: dict[int, dict], *, new_tab: bool) -> str:
    target = mark_safe(' target="_blank" rel="noopener"') if new_tab else ""

    def link(match: re.Match) -> str:
        citation = citations.get(int(match.group(1)))
        if citation is None:
            return ""
        title = citation["label"] + (f" · {citation['detail']}" if citation.get("detail") else "")
        return format_html(
            '<a class="assistant-cite" href="{}" title="{}" data-kind="{}" data-id="{}"{}>[{}]</a>',
            citation["url"],
            title,
            citation["kind"],
            citation["id"],
            target,
            citation["n"],
        )

    return _MARKER.sub(link, escape(line))


@register.filter
def assistant_answer(message, embedded: bool = False) -> str:
    """HTML for a message's text with its citations linked. ``embedded``: inside Salesforce the
    cited pages need a Backstory login and refuse to be framed, so they open in a new tab."""
    citations = {int(c["n"]): c for c in (message.citations or [])}
    blocks, items = [], []
    for raw in message.text.split("\n"):
        line = raw.strip()
        if not line:
            continue
        if line.startswith("- "):
            items.append(f"<li>{_link_markers(line[2:], citations, new_tab=embedded)}</li>")
            continue
        if items:
            blocks.append("<ul>" + "".join(items) + "</ul>")
            items = []
        if line.startswith("### "):  # one part of a compound question
            blocks.append(f'<p class="assistant-answer-part">{escape(line[4:])}</p>')
            continue
        blocks.append(f"<p>{_link_markers(line, citations, new_tab=embedded)}</p>")
    if items:
        blocks.append("<ul>" + "".join(items) + "</ul>")
    return mark_safe("".join(blocks))


KIND_LABELS = {
    "activity": "Activity",
    "contact": "Person",
    "opportunity": "Opportunity",
    "account": "Account",
    "metric": "Metric",
    "next_step": "Next step",
    "article": "Help article",
}


@register.filter
def citation_kind(kind: str) -> str:
    return KIND_LABELS.get(kind, kind)
