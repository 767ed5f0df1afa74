"""The engagement level: a 0-100 score from the volume, type and recency of matched activities.

The formula, with its reasons, is written down in ``docs/engagement.md``; the constants below are
that page's numbers. Scores are computed for many records at once with one grouped SQL aggregate
(count, summed recency weight and latest time per record and activity kind); Python only turns
those few numbers per record into a score.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from django.db.models import Count, Expression, F, Max, QuerySet, Sum

from activities.models import Participant

from .records import (
    COMPONENT_NAMES,
    COMPONENTS,
    SCOPES,
    age_days,
    binary,
    component,
    counted,
    decay,
    in_sync,
    with_heavy_reads,
)

# Seed: "It is a 0 to 100 score based on the volume, type, and recency of matched activities over
# the last 12 weeks."
WINDOW_WEEKS = 12
WINDOW_DAYS = WINDOW_WEEKS * 7
# Type: a meeting takes the most of both sides' time; a call less; an email the customer wrote
# shows more engagement than one we sent them.
WEIGHTS: dict[str, float] = {"meeting": 3.0, "call": 2.0, "email_received": 1.5, "email_sent": 1.0}
# Recency: a record's activity points halve every two weeks (yesterday ~1.0, four weeks ago 0.25,
# 11 weeks ago 0.03), so a week of silence after steady contact costs about 8 points. A person's
# points halve every four weeks: people take part in fewer activities.
RECORD_HALF_LIFE_DAYS = 14.0
HALF_LIFE_DAYS = 28.0
# Normalisation of a record (issue 16: "a curve under which an account with 10 activities a week
# and one with 40 differ by at least 15 points"): logarithmic in decayed points,
#   score = 100 * ln(1 + P / RECORD_KNEE) / ln(1 + RECORD_FULL / RECORD_KNEE), at most 100,
# so every doubling of activity adds the same ~19 points instead of saturating at five a week.
# RECORD_FULL, 100, is about 55 mixed activities a week; a weekly email exchange with a monthly
# meeting is 31 (Medium), an email a week 16 (Low).
RECORD_KNEE = 4.0
RECORD_FULL = 300.0
# A person: score = 100 * (1 - e^(-points / saturation)); people have few activities each.
PERSON_SATURATION = 8.0
# Bands and the colour of the wheel.
LOW_MAX = 30
MEDIUM_MAX = 70
GREEN_FROM = LOW_MAX + 1

LABELS = {
    "meeting": ("meeting", "meetings"),
    "call": ("call", "calls"),
    "email_received": ("email received", "emails received"),
    "email_sent": ("email sent", "emails sent"),
}


@dataclass(frozen=True)
class ComponentTotal:
    """One activity kind on one record: how many, their summed recency weight, the latest."""

    count: int = 0
    decay_sum: float = 0.0
    last_at: dt.datetime | None = None

    def plus(self, other: ComponentTotal) -> ComponentTotal:
        last = max((t for t in (self.last_at, other.last_at) if t is not None), default=None)
        return ComponentTotal(self.count + other.count, self.decay_sum + other.decay_sum, last)


def engagement_score(points: float, *, saturation: float | None = None) -> int:
    """0-100 from decayed points.

    A record (``saturation=None``): ``round(100 * ln(1 + P/4) / ln(1 + 300/4))``, between 1 and 100.
    A person: ``round(100 * (1 - e^(-points / saturation)))``.
    """
    if points <= 0:
        return 0
    if saturation is None:
        raw = 100 * math.log1p(points / RECORD_KNEE) / math.log1p(RECORD_FULL / RECORD_KNEE)
    else:
        raw = 100 * (1 - math.exp(-points / saturation))
    # Anything counted in 12 weeks shows: 1 at least, so 0 always means nothing at all.
    return max(1, min(100, round(raw)))


def engagement_band(score: int) -> str:
    """Low (0-30), Medium (31-70) or High (71-100)."""
    if score <= LOW_MAX:
        return "low"
    return "medium" if score <= MEDIUM_MAX else "high"


def engagement_color(score: int) -> str:
    """The wheel is red for low engagement and green from medium up."""
    return "green" if score >= GREEN_FROM else "red"


@dataclass(frozen=True)
class Engagement:
    """A score with everything a page needs to explain it."""

    score: int
    totals: Mapping[str, ComponentTotal] = field(default_factory=dict)
    saturation: float | None = None

    @property
    def band(self) -> str:
        return engagement_band(self.score)

    @property
    def color(self) -> str:
        return engagement_color(self.score)

    @property
    def decayed_points(self) -> float:
        return sum(WEIGHTS[kind] * total.decay_sum for kind, total in self.totals.items())

    @property
    def undecayed_points(self) -> float:
        return sum(WEIGHTS[kind] * total.count for kind, total in self.totals.items())

    @property
    def last_activity_at(self) -> dt.datetime | None:
        return max((t.last_at for t in self.totals.values() if t.last_at), default=None)

    def count(self, kind: str) -> int:
        return self.totals.get(kind, ComponentTotal()).count

    def explanation(self) -> str:
        parts = []
        for kind in COMPONENTS:
            n = self.count(kind)
            if n:
                singular, plural = LABELS[kind]
                parts.append(f"{n} {singular if n == 1 else plural}")
        if not parts:
            return f"No meetings, calls or emails in the last {WINDOW_WEEKS} weeks, so the engagement level is 0."
        listed = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
        last = self.last_activity_at
        return (
            f"{self.band.capitalize()} engagement ({self.score}): {listed} in the last {WINDOW_WEEKS} weeks "
            f"are worth {self.undecayed_points:.1f} points, {self.decayed_points:.1f} after recency decay"
            + (f"; the latest was on {last:%d %b %Y}." if last else ".")
        )

    def normalisation(self) -> str:
        if self.saturation is None:
            curve = (
                f"score = round(100 x ln(1 + decayed points / {RECORD_KNEE:g}) / ln(1 + {RECORD_FULL:g} / "
                f"{RECORD_KNEE:g})), at most 100"
            )
            half_life = RECORD_HALF_LIFE_DAYS
        else:
            curve = f"score = round(100 x (1 - e^(-decayed points / {self.saturation:g})))"
            half_life = HALF_LIFE_DAYS
        return (
            f"{curve}; each activity's points = its kind's weight x 0.5^(age in days / {half_life:g}), "
            f"over the last {WINDOW_WEEKS} weeks"
        )

    def as_breakdown(self) -> dict:
        """The stored shape: ``Summary.engagement_breakdown`` and ``PersonEngagement.breakdown``."""
        last = self.last_activity_at
        return {
            "score": self.score,
            "band": self.band,
            "color": self.color,
            "window_weeks": WINDOW_WEEKS,
            "components": [
                {
                    "kind": kind,
                    "count": self.count(kind),
                    "weight": WEIGHTS[kind],
                    "points": round(WEIGHTS[kind] * self.totals.get(kind, ComponentTotal()).decay_sum, 2),
                }
                for kind in COMPONENTS
            ],
            "recency": {
                "last_activity_at": last.isoformat() if last else None,
                "decayed_points": round(self.decayed_points, 2),
                "undecayed_points": round(self.undecayed_points, 2),
            },
            "normalisation": self.normalisation(),
            "explanation": self.explanation(),
        }


def engagement_from_totals(
    totals: Mapping[str, ComponentTotal], *, saturation: float | None = None
) -> Engagement:
    """The engagement of one record or person from its per-kind totals."""
    points = sum(WEIGHTS[kind] * total.decay_sum for kind, total in totals.items())
    return Engagement(
        score=engagement_score(points, saturation=saturation), totals=dict(totals), saturation=saturation
    )


def component_totals(
    rows: QuerySet,
    *,
    group_by: Sequence[str],
    prefix: str,
    as_of: dt.datetime | Expression,
    half_life: float = HALF_LIFE_DAYS,
) -> dict[tuple, dict[str, ComponentTotal]]:
    """Per group (e.g. per account, or per opportunity and email) and activity kind: the count, the
    summed recency weight and the latest time of counted activities in the 12 weeks up to ``as_of``.

    ``as_of`` is a time, or an expression giving one per row (each won opportunity's close).
    """
    if isinstance(as_of, dt.datetime):
        rows = rows.filter(counted(prefix, start=as_of - dt.timedelta(days=WINDOW_DAYS), end=as_of))
    else:
        rows = (
            rows.filter(counted(prefix))
            .alias(_age=age_days(prefix, as_of))
            .filter(_age__gte=0, _age__lt=WINDOW_DAYS)
        )
    grouped = (
        rows.annotate(_component=component(prefix))
        .values(*group_by, "_component")
        .annotate(
            _n=Count("pk"),
            _decay=Sum(decay(prefix, as_of, half_life)),
            _last=Max(F(f"{prefix}occurred_at")),
        )
        .order_by()
    )
    result: dict[tuple, dict[str, ComponentTotal]] = {}
    for row in grouped:
        key = tuple(row[name] for name in group_by)
        kinds = result.setdefault(key, {})
        total = ComponentTotal(row["_n"], float(row["_decay"] or 0.0), row["_last"])
        name = COMPONENT_NAMES[row["_component"]]
        kinds[name] = kinds[name].plus(total) if name in kinds else total
    return result


@with_heavy_reads
def engagement_levels(
    *, kind: str, record_ids: Iterable[int] | None = None, as_of: dt.datetime
) -> dict[int, Engagement]:
    """The engagement of accounts or opportunities (``kind``) as of ``as_of``: every record given
    (or every record with a matched activity), including those with nothing in 12 weeks (score 0)."""
    scope = SCOPES[kind]
    ids = None if record_ids is None else list(record_ids)
    totals = component_totals(
        scope.activity_rows(ids),
        group_by=[scope.key],
        prefix=scope.prefix,
        as_of=as_of,
        half_life=RECORD_HALF_LIFE_DAYS,
    )
    levels = {key[0]: engagement_from_totals(kinds) for key, kinds in totals.items()}
    for record_id in ids or ():
        levels.setdefault(record_id, Engagement(score=0))
    return levels


@with_heavy_reads
def people_engagement_levels(
    *, subject: str, as_of: dt.datetime, ids: Iterable[int] | None = None
) -> dict[int, Engagement]:
    """The engagement of each contact (``subject="contact"``) or user (``"user"``) over every
    activity matched to an account: what their weekly snapshot records."""
    field_name = f"{subject}_id"
    rows = Participant.objects.filter(in_sync("activity__"), activity__account_id__isnull=False).exclude(
        response=Participant.Response.DECLINED
    )
    rows = rows.filter(**{f"{field_name}__isnull": False})
    if ids is not None:
        rows = rows.filter(**{f"{field_name}__in": list(ids)})
    totals = component_totals(rows, group_by=[field_name], prefix="activity__", as_of=as_of)
    return {
        key[0]: engagement_from_totals(kinds, saturation=PERSON_SATURATION) for key, kinds in totals.items()
    }


@with_heavy_reads
def person_engagement_levels(
    *, kind: str, record_ids: Iterable[int] | None = None, as_of: dt.datetime
) -> dict[tuple[int, str], Engagement]:
    """The engagement of each person (by email) on each account or opportunity (``kind``): the
    score of ``PersonEngagement.engagement_score``, without the 12-month people metrics."""
    scope = SCOPES[kind]
    rows = (
        scope.participant_rows(None if record_ids is None else list(record_ids))
        .exclude(response=Participant.Response.DECLINED)
        .annotate(_email=binary("email"))
    )
    totals = component_totals(
        rows, group_by=[scope.participant_key, "_email"], prefix="activity__", as_of=as_of
    )
    merged: dict[tuple[int, str], dict[str, ComponentTotal]] = {}
    for (record_id, email), kinds in totals.items():
        person = merged.setdefault((record_id, email.lower()), {})
        for name, total in kinds.items():
            person[name] = person[name].plus(total) if name in person else total
    return {key: engagement_from_totals(kinds, saturation=PERSON_SATURATION) for key, kinds in merged.items()}
