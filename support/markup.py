"""Render an article body (Markdown-ish plain text) to HTML safely: everything is escaped first,
then only a fixed set of structures is produced. Raw HTML in a body shows as text."""

from __future__ import annotations

import re

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

_LINK = re.compile(r"\[([^\]]+)\]\(([^)\s]+)\)")
_BOLD = re.compile(r"\*\*(.+?)\*\*")
_CODE = re.compile(r"`([^`]+)`")
_ORDERED = re.compile(r"^\d+\.\s+")


def _safe_href(url: str) -> str | None:
    # Only site-relative paths and web links; never javascript: or data: URLs.
    if url.startswith("/") and not url.startswith("//"):
        return url
    if url.startswith(("https://", "http://", "mailto:")):
        return url
    return None


def _inline(text: str) -> str:
    html = escape(text)
    codes: list[str] = []

    def keep_code(match: re.Match) -> str:
        codes.append(f"<code>{match.group(1)}</code>")
        return f"\x00{len(codes) - 1}\x00"

    html = _CODE.sub(keep_code, html)

    def link(match: re.Match) -> str:
        label, url = match.group(1), match.group(2).replace("&amp;", "&")
        href = _safe_href(url)
        return f'<a href="{escape(href)}">{label}</a>' if href else label

    html = _LINK.sub(link, html)
    html = _BOLD.sub(r"<strong>\1</strong>", html)
    return re.sub("\x00(\\d+)\x00", lambda m: codes[int(m.group(1))], html)


def render_help_markup(text: str) -> SafeString:
    """HTML for an article body: ``## heading``, ``- bullet``, ``1. step``, paragraphs, and inline
    ``**bold**``, `` `code` `` and ``[text](/path/)``."""
    blocks: list[str] = []
    items: list[str] = []
    list_tag = ""

    def close_list() -> None:
        nonlocal items, list_tag
        if items:
            blocks.append(f"<{list_tag}>" + "".join(f"<li>{i}</li>" for i in items) + f"</{list_tag}>")
        items, list_tag = [], ""

    for raw in (text or "").replace("\r\n", "\n").split("\n"):
        line = raw.strip()
        if not line:
            close_list()
            continue
        if line.startswith("#"):
            close_list()
            level = min(len(line) - len(line.lstrip("#")) + 1, 4)
            blocks.append(f"<h{level}>{_inline(line.lstrip('#').strip())}</h{level}>")
        elif line.startswith(("- ", "* ")):
            if list_tag != "ul":
                close_list()
                list_tag = "ul"
            items.append(_inline(line[2:]))
        elif _ORDERED.match(line):
            if list_tag != "ol":
                close_list()
                list_tag = "ol"
            items.append(_inline(_ORDERED.sub("", line)))
        else:
            close_list()
            blocks.append(f"<p>{_inline(line)}</p>")
    close_list()
    return mark_safe("\n".join(blocks))


def plain_text(text: str) -> str:
    """The body without markup: for snippets in search results and assistant answers."""
    text = _LINK.sub(r"\1", text or "")
    text = _BOLD.sub(r"\1", text)
    text = _CODE.sub(r"\1", text)
    lines = [_ORDERED.sub("", line.strip().lstrip("#").lstrip("-* ").strip()) for line in text.split("\n")]
    return "\n".join(line for line in lines if line)
