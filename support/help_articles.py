"""The help center's shipped articles: Markdown files under ``support/articles/<topic>/<slug>.md``,
written from the product documents (Backstory pages, automatic contact creation, the Query API
metrics reference, and support). Every FAQ answer is its own article.

Each file opens with a small header between ``---`` lines, one ``name: value`` a line::

    ---
    title: Engagement level
    position: 3
    summary: A 0 to 100 score ...
    keywords: engagement score, wheel
    faq: no
    ---
    The body, in the help center's light Markdown (see ``HelpArticle.body``).

``seed_help_center`` (the data migration and the management command) loads them by slug.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

ARTICLES_DIR = Path(__file__).resolve().parent / "articles"
# The order articles are loaded in (and so created in an empty help center).
TOPICS = ("backstory-pages", "assistant", "contact-creation", "query-api", "support")
HEADER_FIELDS = {"title", "position", "summary", "keywords", "faq"}


class HelpArticleFileError(ValueError):
    """A shipped article file that cannot be read: the message names the file and what to fix."""


def help_article_parse(path: Path, *, topic: str) -> dict:
    """One article file as the fields of a HelpArticle (slug from the file name, topic from its folder)."""
    text = path.read_text(encoding="utf-8")
    lines = text.split("\n")
    if lines[0] != "---" or "---" not in lines[1:]:
        raise HelpArticleFileError(f"{path}: start the file with a header between two '---' lines.")
    end = lines.index("---", 1)
    header: dict[str, str] = {}
    for number, line in enumerate(lines[1:end], start=2):
        name, colon, value = line.partition(":")
        if not colon or name.strip() not in HEADER_FIELDS:
            raise HelpArticleFileError(
                f"{path}, line {number}: expected 'name: value' with name one of {', '.join(sorted(HEADER_FIELDS))}."
            )
        header[name.strip()] = value.strip()
    if not header.get("title"):
        raise HelpArticleFileError(f"{path}: the header needs a 'title:'.")
    if header.get("faq", "no") not in ("yes", "no"):
        raise HelpArticleFileError(f"{path}: 'faq:' is yes or no.")
    if not header.get("position", "100").isdigit():
        raise HelpArticleFileError(f"{path}: 'position:' is a whole number.")
    return {
        "slug": path.stem,
        "topic": topic,
        "title": header["title"],
        "summary": header.get("summary", ""),
        "keywords": header.get("keywords", ""),
        "is_faq": header.get("faq", "no") == "yes",
        "position": int(header.get("position", "100")),
        "body": "\n".join(lines[end + 1 :]).strip("\n"),
    }


@cache
def help_articles() -> tuple[dict, ...]:
    """Every shipped article, by topic (in ``TOPICS`` order) then position."""
    articles = []
    for topic in TOPICS:
        topic_articles = [
            help_article_parse(path, topic=topic) for path in (ARTICLES_DIR / topic).glob("*.md")
        ]
        articles.extend(sorted(topic_articles, key=lambda a: (a["position"], a["slug"])))
    return tuple(articles)
