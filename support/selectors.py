"""Read-side queries of the help center."""

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from .models import HelpArticle


def help_articles_published() -> QuerySet[HelpArticle]:
    return HelpArticle.objects.filter(is_published=True)


def help_article_get(*, slug: str) -> HelpArticle:
    """A published article by slug, or 404."""
    return get_object_or_404(help_articles_published(), slug=slug)


def help_topics() -> list[dict]:
    """Topics in their display order, each with its articles (guides first, then FAQs)."""
    articles = list(help_articles_published().order_by("is_faq", "position", "title"))
    topics = []
    for value, label in HelpArticle.Topic.choices:
        in_topic = [a for a in articles if a.topic == value]
        if in_topic:
            topics.append({"slug": value, "label": label, "articles": in_topic})
    return topics
