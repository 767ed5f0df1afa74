"""Which of an account's deals an activity belongs to: every candidate scored on evidence.

Issue 16, after the best products: "for each activity on an account with open deals, score every
candidate opportunity on evidence — participants who are contact roles on it, the opportunity's
owner on the activity, its name or products mentioned in subject or body, the thread's earlier
association, stage and recency". The candidates are the account's deals open at the activity's
time, opened up to 14 days after it or closed up to 14 days before it, at most five.

The points (``docs/matching.md`` has the table):

=====================================================  ======
evidence                                                points
=====================================================  ======
the subject names the deal (its name or product)           45
the subject mentions one of the deal's own words           40
a participant holds a contact role on it               35 (+5 each more, up to +10)
the body names the deal / mentions one of its words    30 / 20
an earlier message of the thread was matched to it          30
the deal's owner is on the activity                         10
the only deal open at the time on the account              40
open at the activity's time / opened or closed near it  10 / 5
=====================================================  ======

A candidate is linked when its points reach ``THRESHOLD`` and it has evidence beyond its timing.
The primary match is the best candidate when it leads the next by at least ``CLEAR_LEAD``; with
multi-opportunity matching on, every candidate over the threshold is linked. The confidence
stored with a link is its points, capped at 100. Everything here is pure: it reads ``Deal`` and
``ActivityFacts`` values the batch loaded once.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property, lru_cache

# Gong: "deals open at its time, opened up to 14 days after or closed up to 14 days before, at most 5".
NEAR = dt.timedelta(days=14)
MAX_CANDIDATES = 5

SUBJECT_NAMES = 45
SUBJECT_MENTIONS = 40
CONTACT_ROLE = 35
CONTACT_ROLE_MORE = 5
CONTACT_ROLE_MORE_MAX = 10
BODY_NAMES = 30
BODY_MENTIONS = 20
THREAD = 30
OWNER = 10
ONLY_CANDIDATE = 40
OPEN_AT_THE_TIME = 10
NEAR_THE_TIME = 5

THRESHOLD = 40
CLEAR_LEAD = 10

# Words in deal names that say what kind of deal it is, not what it is about.
GENERIC_WORDS = frozenset(
    """
    new business deal deals opportunity opportunities expansion expand renewal renew upsell upgrade
    add addon add-on on year years yr multi annual contract agreement phase pilot poc proof concept
    the and for of with to in a an q1 q2 q3 q4 fy h1 h2 seats seat license licenses licence
    enterprise team teams edition plan tier wide company global
    """.split()
)
_WORD = re.compile(r"[a-z0-9][a-z0-9&+.'-]*[a-z0-9]|[a-z0-9]")
_TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9&+.'-]*[A-Za-z0-9]|[A-Za-z0-9]")


def _words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def _phrase_key(phrase: str) -> str:
    """A phrase as the words of a text see it: " word word " (no regex to compile per deal)."""
    return " " + " ".join(_words(phrase)) + " "


@dataclass(frozen=True)
class Deal:
    """An opportunity as matching sees it."""

    id: int
    name: str
    owner_id: int | None = None
    owner_name: str = ""
    opened_at: dt.datetime | None = None
    # When it closed (None while it is open); a closed deal with no close date never is a candidate.
    closed_at: dt.datetime | None = None
    is_closed: bool = False
    stage: str = ""

    def timing(self, at: dt.datetime | None) -> tuple[int, str] | None:
        """(points, sentence) for a deal that is a candidate at ``at``; None when it is not one."""
        if self.is_closed and self.closed_at is None:
            return None
        if at is None:
            return (OPEN_AT_THE_TIME, "it is open") if not self.is_closed else None
        if self.opened_at is not None and self.opened_at > at:
            if self.opened_at - at <= NEAR:
                days = (self.opened_at - at).days
                return NEAR_THE_TIME, f"it was opened {_days(days)} after the activity"
            return None
        if self.is_closed and self.closed_at < at:
            if at - self.closed_at <= NEAR:
                days = (at - self.closed_at).days
                return NEAR_THE_TIME, f"it closed {_days(days)} before the activity"
            return None
        return (
            OPEN_AT_THE_TIME,
            f"it was open at the time ({self.stage})" if self.stage else "it was open at the time",
        )


def _days(n: int) -> str:
    return "the same day" if n == 0 else ("1 day" if n == 1 else f"{n} days")


@dataclass(frozen=True)
class ActivityFacts:
    """What matching reads of the activity itself, beyond its participants."""

    subject: str = ""
    body: str = ""
    occurred_at: dt.datetime | None = None
    owner_id: int | None = None
    thread_id: str = ""
    activity_id: int | None = None


@dataclass(frozen=True)
class Link:
    """One opportunity an activity is linked to, how strongly and why."""

    opportunity_id: int
    match: str
    confidence: int
    is_primary: bool
    reasons: tuple[str, ...]

    def as_row(self, activity_id: int) -> dict:
        return {
            "activity_id": activity_id,
            "opportunity_id": self.opportunity_id,
            "match": self.match,
            "confidence": self.confidence,
            "is_primary": self.is_primary,
            "reasons": list(self.reasons),
        }


@dataclass(frozen=True)
class Candidate:
    deal: Deal
    score: int
    evidence: int
    reasons: tuple[str, ...]
    match: str

    @property
    def confidence(self) -> int:
        return min(100, self.score)

    def summary(self) -> str:
        return f"“{self.deal.name}” ({self.confidence}: {'; '.join(self.reasons)})"


@dataclass(frozen=True)
class DealChoice:
    """The outcome on the account: the links, the kind of the primary (or best) one, and why."""

    match: str
    links: tuple[Link, ...]
    explanation: str


@dataclass
class DealTerms:
    """The names a deal goes by, as patterns: its full name, its name without the account, its own words."""

    phrases: list[tuple[str, str]] = field(default_factory=list)
    words: list[str] = field(default_factory=list)


def deal_terms(*, deal: Deal, account_name: str) -> DealTerms:
    return _deal_terms(deal.name, account_name)


@lru_cache(maxsize=50_000)
def _deal_terms(deal_name: str, account_name: str) -> DealTerms:
    """Seed (issue 16): "its name or products mentioned in subject or body". The product is what the
    name says after the account's name: "Wayne Financial - Analytics Expansion" names "Analytics"."""
    account_words = set(_words(account_name))
    tokens = _TOKEN.findall(deal_name)
    own_tokens = [t for t in tokens if t.lower() not in account_words]
    own = [t.lower() for t in own_tokens]
    phrases = [deal_name]
    if own_tokens and len(own_tokens) < len(tokens):
        phrases.append(" ".join(own_tokens))
    terms = DealTerms(phrases=[(p, _phrase_key(p)) for p in dict.fromkeys(phrases) if _words(p)])
    terms.words = [
        w for w in dict.fromkeys(own) if w not in GENERIC_WORDS and len(w) >= 3 and not w.isdigit()
    ]
    return terms


@dataclass
class _Text:
    """An activity's subject and body, lower-cased once and split into words once."""

    subject: str
    body: str

    @cached_property
    def subject_words(self) -> set[str]:
        return set(_words(self.subject))

    @cached_property
    def body_words(self) -> set[str]:
        return set(_words(self.body))

    @cached_property
    def subject_key(self) -> str:
        return _phrase_key(self.subject)

    @cached_property
    def body_key(self) -> str:
        return _phrase_key(self.body)


def _name_evidence(terms: DealTerms, distinctive: set[str], text: _Text) -> tuple[int, str] | None:
    for where, names, mentions, field_text, field_words, field_key in (
        (
            "subject",
            SUBJECT_NAMES,
            SUBJECT_MENTIONS,
            text.subject,
            lambda: text.subject_words,
            lambda: text.subject_key,
        ),
        ("body", BODY_NAMES, BODY_MENTIONS, text.body, lambda: text.body_words, lambda: text.body_key),
    ):
        if not field_text:
            continue
        for phrase, key in terms.phrases:
            if key in field_key():
                return names, f"the {where} names “{phrase}”"
        hits = [w for w in terms.words if w in distinctive and w in field_words()]
        if hits:
            return mentions, f"the {where} mentions “{hits[0]}”"
    return None


def choose_deals(
    *,
    account_name: str,
    deals: Sequence[Deal],
    terms: Mapping[int, DealTerms],
    activity: ActivityFacts,
    people: Iterable,
    role_holders: Mapping[int, set[int]],
    thread_deal_ids: set[int],
    multi: bool,
    profile_words: str,
) -> DealChoice:
    """Score every candidate deal on evidence and choose: the primary when it clearly leads, and every
    candidate over the threshold when ``multi`` (multi-opportunity matching) is on."""
    from ..models import Activity

    M = Activity.OpportunityMatch
    timed = [(deal, t) for deal in deals if (t := deal.timing(activity.occurred_at)) is not None]
    if not timed:
        if not deals:
            return DealChoice(M.NONE, (), f"No opportunity: {account_name} has no open opportunity.")
        return DealChoice(
            M.NONE,
            (),
            f"No opportunity: none of {account_name}'s opportunities was open at the time of the activity, "
            "opened within 14 days after it or closed within 14 days before it.",
        )
    people = list(people)
    contact_labels = {p.contact_id: p.label for p in people if p.contact_id and not p.is_internal}
    user_labels = {p.user_id: p.label for p in people if p.user_id}
    text = _Text(activity.subject.lower(), activity.body.lower())
    # A word every candidate's name has ("Analytics" on both Analytics deals) tells none of them apart.
    word_sets = [set(terms[d.id].words) for d, _ in timed]
    shared = set.intersection(*word_sets) if len(word_sets) > 1 else set()
    scored: list[Candidate] = []
    for deal, (timing_points, timing_reason) in timed:
        evidence: list[tuple[int, str, str]] = []
        named = _name_evidence(terms[deal.id], set(terms[deal.id].words) - shared, text)
        if named:
            evidence.append((named[0], named[1], M.NAME))
        holders = [
            label
            for contact_id, label in contact_labels.items()
            if contact_id in role_holders.get(deal.id, ())
        ]
        if holders:
            points = CONTACT_ROLE + min(CONTACT_ROLE_MORE_MAX, CONTACT_ROLE_MORE * (len(holders) - 1))
            who = ", ".join(holders)
            verb = "holds a contact role" if len(holders) == 1 else "hold contact roles"
            evidence.append((points, f"{who} {verb} on it", M.CONTACT_ROLE))
        if deal.id in thread_deal_ids:
            evidence.append((THREAD, "an earlier message in the thread was matched to it", M.THREAD))
        if deal.owner_id and (deal.owner_id in user_labels or deal.owner_id == activity.owner_id):
            owner = user_labels.get(deal.owner_id) or deal.owner_name or "its owner"
            evidence.append((OWNER, f"its owner, {owner}, is on the activity", M.OWNER))
        if len(timed) == 1:
            evidence.append(
                (
                    ONLY_CANDIDATE,
                    f"it is the only opportunity of {account_name} open at the time",
                    M.SINGLE_OPEN,
                )
            )
        evidence.sort(key=lambda e: -e[0])
        points = sum(e[0] for e in evidence)
        reasons = tuple(e[1] for e in evidence) + (timing_reason,)
        scored.append(
            Candidate(deal, points + timing_points, points, reasons, evidence[0][2] if evidence else M.NONE)
        )
    scored.sort(key=lambda c: (-c.score, c.deal.name, c.deal.id))
    candidates = scored[:MAX_CANDIDATES]
    best = candidates[0]
    runner_up = candidates[1] if len(candidates) > 1 else None
    over = [c for c in candidates if c.evidence and c.score >= THRESHOLD]
    leads = (
        bool(over) and best is over[0] and (runner_up is None or best.score - runner_up.score >= CLEAR_LEAD)
    )
    names = ", ".join(f"“{c.deal.name}”" for c in candidates)

    if not over:
        if not any(c.evidence for c in candidates):
            return DealChoice(
                M.NONE,
                (),
                f"No opportunity: nothing on the activity points to one of {account_name}'s {len(candidates)} "
                f"opportunities open at the time ({names}): no participant holds a contact role on one, "
                "none is named in the subject or body, its owner alone tells none apart and no earlier message "
                "in the thread was matched. Use Edit Match to choose one.",
            )
        return DealChoice(
            M.NONE,
            (),
            f"No opportunity: none of {account_name}'s {len(candidates)} "
            f"{'opportunity' if len(candidates) == 1 else 'opportunities'} open at the time has evidence "
            f"enough ({THRESHOLD} points): "
            + "; ".join(c.summary() for c in candidates)
            + ". Use Edit Match to choose one.",
        )
    if multi:
        links = tuple(Link(c.deal.id, c.match, c.confidence, leads and c is best, c.reasons) for c in over)
        if len(over) == 1:
            text_ = (
                f"Opportunity (confidence {best.confidence}): “{best.deal.name}”: {'; '.join(best.reasons)}."
            )
        else:
            text_ = (
                f"Opportunities (multi-opportunity matching is on in {profile_words}): "
                + "; ".join(
                    c.summary() + (", the primary match" if leads and c is best else "") for c in over
                )
                + "."
            )
        return DealChoice(best.match, links, text_ + _others(candidates, over))
    if leads:
        text_ = f"Opportunity (confidence {best.confidence}): “{best.deal.name}”: {'; '.join(best.reasons)}."
        if runner_up is not None:
            text_ += f" It leads {runner_up.summary()} by {best.score - runner_up.score} points."
        return DealChoice(
            best.match, (Link(best.deal.id, best.match, best.confidence, True, best.reasons),), text_
        )
    level = [c for c in over if best.score - c.score < CLEAR_LEAD]
    return DealChoice(
        M.NONE,
        (),
        "No opportunity: no candidate clearly leads — "
        + "; ".join(c.summary() for c in level)
        + f" are within {CLEAR_LEAD} points of each other, and multi-opportunity matching is off in "
        f"{profile_words}. Use Edit Match to choose one.",
    )


def _others(candidates: Sequence[Candidate], linked: Sequence[Candidate]) -> str:
    rest = [c for c in candidates if c not in linked]
    if not rest:
        return ""
    return " Not linked, under the threshold: " + "; ".join(c.summary() for c in rest) + "."
