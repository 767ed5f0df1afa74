"""Help center search: a small TF-IDF over the published articles (scikit-learn), no external service.

``search_tokens`` is the one tokenizer for product text; the assistant's retrieval uses it too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, TfidfVectorizer
from sklearn.metrics.pairwise import linear_kernel

from .models import HelpArticle

_WORD = re.compile(r"[a-z0-9][a-z0-9_\-]*[a-z0-9]|[a-z0-9]")
# Words that carry meaning in sales and product questions even though scikit-learn lists them as stop words.
_KEEP = {
    "first",
    "last",
    "next",
    "new",
    "empty",
    "show",
    "call",
    "find",
    "part",
    "least",
    "top",
    "own",
    "name",
}
_STOP = (ENGLISH_STOP_WORDS - _KEEP) | {"backstory", "does", "did", "doe", "ha", "wa"}
_SUFFIXES = ("ations", "ation", "ings", "ing", "ies", "ied", "ed", "es", "s")


def stem(word: str) -> str:
    """A light suffix-stripper so "contacts", "contact" and "contacted" meet; short words stay whole."""
    if len(word) <= 3 or word.endswith(("ss", "us", "is")):
        return word
    if len(word) == 4:
        return word[:-1] if word.endswith("s") else word
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            word = word[: -len(suffix)]
            if suffix in ("ies", "ied"):
                word += "y"
            return word
    return word


def search_tokens(text: str) -> list[str]:
    """Lower-cased, stop words removed, lightly stemmed tokens of ``text``; an identifier such as
    ``ootb_emails_sent_last_30_days`` also gives its parts."""
    tokens = []
    for token in _WORD.findall((text or "").lower()):
        if token in _STOP or (len(token) < 2 and not token.isdigit()):
            continue
        tokens.append(stem(token))
        if "_" in token:
            tokens += [
                stem(part)
                for part in token.split("_")
                if part and part not in _STOP and (len(part) > 1 or part.isdigit())
            ]
    return tokens


@dataclass(frozen=True)
class ArticleHit:
    article: HelpArticle
    score: float


def _article_document(article: HelpArticle) -> str:
    # The title and the keywords say what an article answers: weigh them above the body.
    return " ".join([article.title] * 3 + [article.keywords] * 2 + [article.summary, article.body])


def help_articles_search(*, query: str, limit: int = 10, min_score: float = 0.05) -> list[ArticleHit]:
    """Published articles ranked by TF-IDF cosine similarity to ``query``, best first."""
    articles = list(HelpArticle.objects.filter(is_published=True))
    if not articles or not search_tokens(query):
        return []
    vectorizer = TfidfVectorizer(analyzer=search_tokens, sublinear_tf=True)
    matrix = vectorizer.fit_transform(_article_document(a) for a in articles)
    scores = linear_kernel(vectorizer.transform([query]), matrix).ravel()
    ranked = sorted(zip(articles, scores, strict=True), key=lambda pair: (-pair[1], pair[0].position))
    return [ArticleHit(article, float(score)) for article, score in ranked[:limit] if score >= min_score]
