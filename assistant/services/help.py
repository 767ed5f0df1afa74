"""Help questions: answered from the help center articles, at any hour, with a link to the article."""

from __future__ import annotations

import re
from zoneinfo import ZoneInfo

from support.markup import plain_text
from support.search import help_articles_search, search_tokens
from support.services import support_hours_status

from .answers import Answer
from .citations import Citations
from .intents import is_yes_no_question

MIN_HELP_SCORE = 0.12
_VERDICT = re.compile(r"^(yes|no)\b[:.,]?\s*", re.IGNORECASE)


def _without_verdict(text: str, question: str) -> str:
    """An FAQ's "No: ..." answers its own yes/no question; to any other question it is a wrong verdict."""
    if is_yes_no_question(question):
        return text
    rest = _VERDICT.sub("", text, count=1)
    return rest[:1].upper() + rest[1:] if rest else text


def _best_passage(body: str, question: str, limit: int = 2) -> list[str]:
    """The lines of an article that share the most words with the question, in article order."""
    wanted = set(search_tokens(question))
    lines = [line for line in plain_text(body).split("\n") if len(line) > 20]
    scored = sorted(
        ((len(wanted & set(search_tokens(line))), -i, line) for i, line in enumerate(lines)), reverse=True
    )
    best = [(-neg_i, line) for score, neg_i, line in scored[:limit] if score > 0]
    return [line for _, line in sorted(best)] or lines[:1]


def answer_help_question(*, question: str, tz: ZoneInfo) -> Answer:
    """The help center's answer to a product question, citing the article; says so when none fits."""
    cites = Citations(tz=tz)
    hits = help_articles_search(query=question, limit=3)
    if not hits or hits[0].score < MIN_HELP_SCORE:
        hours = support_hours_status()
        return Answer(
            intent="help",
            text=(
                "I couldn't find a help article that answers that. You can send a support request from the help center "
                f"(/help/support/) or email support@backstory.ai. {hours.message}"
            ),
            citations=cites.items,
            has_data=False,
        )
    # "What is the engagement level?" names an article by its title: that article answers it.
    asked = " ".join(search_tokens(question))
    hits.sort(
        key=lambda h: not (h.score >= MIN_HELP_SCORE and " ".join(search_tokens(h.article.title)) in asked)
    )
    top = hits[0].article
    marker = cites.article(top)
    lines = [f"{_without_verdict(top.summary or top.title, question)} {marker}"]
    said = set(search_tokens(top.summary or top.title))
    for passage in _best_passage(top.body, question):
        words = set(search_tokens(passage))
        if words and len(words - said) / len(words) > 0.4:  # skip a passage that only repeats the summary
            lines.append(f"{_without_verdict(passage, question)} {marker}")
            said |= words
    if top.topic == top.Topic.SUPPORT:
        lines.append(
            f"Right now: {support_hours_status().message} The assistant answers product questions at any hour."
        )
    others = [h.article for h in hits[1:] if h.score >= MIN_HELP_SCORE]
    if others:
        lines.append("See also: " + "; ".join(f"{a.title} {cites.article(a)}" for a in others[:2]))
    return Answer(intent="help", text="\n".join(lines), citations=cites.items)
