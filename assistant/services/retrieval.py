"""Retrieval over one record's data for one user: the activities they may see (privacy through
activities.selectors), the aggregates the pages count, and a small TF-IDF for open questions."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.db.models import Count, Max, QuerySet, Sum
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics.pairwise import linear_kernel

from accounts.models import Account
from activities.models import Activity
from activities.selectors import activities_in_sync, activities_visible_to
from insights.selectors import summary_for_account, summary_for_opportunity, summary_items_visible_to
from opportunities.models import Opportunity
from pages.record import kind_of
from support.search import search_tokens

# Enough recent history for an open question, small enough for a request.
SEARCH_WINDOW = 3_000
_SENTENCE = re.compile(r"(?<=[.!?])\s+|\n+")
_GREETING = re.compile(
    r"^(hi|hello|hey|dear|thanks|thank you|best|regards|cheers)\b[ ,!]*[\w' ]{0,30}[,!.]?$"
)


@dataclass
class RecordContext:
    """Who asks, about which record, and when."""

    user: object
    record: Account | Opportunity
    now: dt.datetime
    tz: ZoneInfo

    @property
    def is_opportunity(self) -> bool:
        return isinstance(self.record, Opportunity)

    @property
    def account(self) -> Account:
        return self.record.account if self.is_opportunity else self.record

    @property
    def kind_label(self) -> str:
        return "opportunity" if self.is_opportunity else "account"

    def activities(self) -> QuerySet[Activity]:
        """Every activity matched to the record (privacy not applied yet), as its page reads them."""
        return kind_of(self.record).activities(self.record.pk)

    def visible_activities(self) -> QuerySet[Activity]:
        """The record's activities this user may read: the only source of words and citations."""
        return activities_visible_to(user=self.user, queryset=self.activities()).filter(is_cancelled=False)

    def counted_activities(self) -> QuerySet[Activity]:
        """Every activity the pages' metrics count, private ones included: for aggregate numbers only."""
        return activities_in_sync(self.activities()).filter(is_cancelled=False)

    def summary(self):
        if self.is_opportunity:
            return summary_for_opportunity(opportunity_id=self.record.pk)
        return summary_for_account(account_id=self.record.pk)

    def opportunities(self) -> QuerySet[Opportunity]:
        if self.is_opportunity:
            return Opportunity.objects.filter(pk=self.record.pk)
        return self.record.opportunities.all()


@dataclass(frozen=True)
class CountWithPrivate:
    visible: int
    hidden: int  # counted by the pages, not visible to this user

    @property
    def total(self) -> int:
        return self.visible + self.hidden


def count_activities(
    *, context: RecordContext, start: dt.datetime | None, end: dt.datetime | None, kind: str = ""
) -> CountWithPrivate:
    """How many activities fall in [start, end): the ones this user sees, and the others the pages count."""

    def narrow(queryset: QuerySet[Activity]) -> QuerySet[Activity]:
        if start:
            queryset = queryset.filter(occurred_at__gte=start)
        if end:
            queryset = queryset.filter(occurred_at__lt=end)
        return queryset.filter(kind=kind) if kind else queryset

    visible = narrow(context.visible_activities()).count()
    total = narrow(context.counted_activities()).count()
    return CountWithPrivate(visible, max(total - visible, 0))


def minutes_spent(*, context: RecordContext, start: dt.datetime | None, end: dt.datetime) -> tuple[int, int]:
    """Minutes in meetings and calls in the period: (visible to this user, in private activities of others)."""

    def total(queryset: QuerySet[Activity]) -> int:
        queryset = queryset.filter(kind__in=[Activity.Kind.MEETING, Activity.Kind.CALL], occurred_at__lt=end)
        if start:
            queryset = queryset.filter(occurred_at__gte=start)
        return queryset.aggregate(m=Sum("duration_minutes"))["m"] or 0

    visible = total(context.visible_activities())
    return visible, max(total(context.counted_activities()) - visible, 0)


def external_people_activity(*, context: RecordContext, since: dt.datetime | None = None) -> list[dict]:
    """External people on the visible activities, most active first: email, name, contact id, count, last."""
    from activities.models import Participant

    activities = context.visible_activities().filter(occurred_at__lte=context.now)
    if since:
        activities = activities.filter(occurred_at__gte=since)
    rows = (
        Participant.objects.filter(activity__in=activities, is_internal=False)
        .values("email", "contact_id")
        .annotate(count=Count("activity", distinct=True), last=Max("activity__occurred_at"))
        .order_by("-count", "-last")
    )
    return list(rows)


def sentences_of(text: str) -> list[str]:
    """The sentences of a body, without greetings and sign-offs ("Hi Chloe,", "Best,")."""
    sentences = [s.strip() for s in _SENTENCE.split(text or "") if len(s.strip()) > 3]
    return [s for s in sentences if not _GREETING.match(s.lower())]


def activity_snippet(activity: Activity, *, terms: list[str] | None = None, length: int = 220) -> str:
    """The sentence of the activity that best matches ``terms`` (else its first sentence), shortened."""
    sentences = sentences_of(activity.body)
    if not sentences:
        return activity.subject
    best = sentences[0]
    if terms:
        wanted = set(terms)
        scored = [(len(wanted & set(search_tokens(s))), -i, s) for i, s in enumerate(sentences)]
        top = max(scored)
        if top[0] > 0:
            best = top[2]
    best = re.sub(r"^(hi|hello|dear)\s+\w+[,!]\s*", "", best, flags=re.I)
    return best if len(best) <= length else best[: length - 1].rsplit(" ", 1)[0] + "…"


@dataclass(frozen=True)
class ActivityHit:
    activity: Activity
    score: float
    snippet: str


def search_activities(
    *, context: RecordContext, query: str, limit: int = 5, min_score: float = 0.08
) -> list[ActivityHit]:
    """Visible activities of the record ranked by TF-IDF similarity of subject + body to ``query``."""
    terms = search_tokens(query)
    if not terms:
        return []
    activities = list(
        context.visible_activities()
        .filter(occurred_at__lte=context.now)
        .order_by("-occurred_at")[:SEARCH_WINDOW]
    )
    if not activities:
        return []
    vectorizer = TfidfVectorizer(analyzer=search_tokens, sublinear_tf=True)
    try:
        matrix = vectorizer.fit_transform(f"{a.subject}\n{a.subject}\n{a.body}" for a in activities)
    except ValueError:  # every document was empty after stop words
        return []
    scores = linear_kernel(vectorizer.transform([query]), matrix).ravel()
    ranked = sorted(
        range(len(activities)), key=lambda i: (-scores[i], -activities[i].occurred_at.timestamp())
    )
    hits = []
    for i in ranked[:limit]:
        if scores[i] < min_score:
            break
        hits.append(
            ActivityHit(activities[i], float(scores[i]), activity_snippet(activities[i], terms=terms))
        )
    return hits


def mentions(
    *, context: RecordContext, pattern: re.Pattern, since: dt.datetime | None = None
) -> list[tuple[Activity, str]]:
    """Visible activities whose subject or body matches ``pattern``, newest first, with the matching sentence."""
    queryset = context.visible_activities().filter(occurred_at__lte=context.now).order_by("-occurred_at")
    if since:
        queryset = queryset.filter(occurred_at__gte=since)
    found = []
    for activity in queryset.only("id", "kind", "subject", "body", "occurred_at")[:SEARCH_WINDOW]:
        if pattern.search(f"{activity.subject}\n{activity.body}"):
            # The body says more than the subject: prefer its matching sentence, then its first one.
            sentences = sentences_of(activity.body)
            matching = [s for s in sentences if pattern.search(s)]
            found.append((activity, (matching or sentences or [activity.subject])[0]))
    return found


def visible_items(*, context: RecordContext, items: list[dict]) -> list[tuple[dict, list[int]]]:
    """Summary bullets (key topics, next steps, risks) this user may read, as the pages show them
    (``insights.selectors.summary_items_visible_to``), each with the activity ids they may open."""
    shown = summary_items_visible_to(user=context.user, items=items, activities=context.activities())
    return [(visible.item, visible.activity_ids) for visible in shown]
