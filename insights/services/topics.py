"""Key topics: the phrases recent activities are about, each with the activities it came from.

Seed: "Key Topics cover the themes and topics discussed recently. Use it to spot customer priorities
and identify conversations you still need to have."

Each activity's subject and new body text go through ``text.key_phrases`` after names and
company names are masked; the phrases of all recent activities on a record are then summed with a
recency weight, near-duplicates are merged ("pricing proposal" / "revised pricing proposal"), and the
eight strongest are kept.

Privacy: a topic keeps the ids of the activities it came from, and its label is always a phrase
written in at least one activity that is not private, unless every one of its activities is
private; such a topic is flagged ``private_only`` so pages show it only to people who can see one of
them.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

from .text import clean_subject, key_phrases, mask_names, phrase_key, strip_manners

MAX_TOPICS = 8
TOPIC_HALF_LIFE_DAYS = 28.0
# A single word is a weaker topic than a phrase ("renewal" vs "renewal quote").
SINGLE_WORD_WEIGHT = 0.5
# A phrase of the subject line is what the writer said the activity is about.
SUBJECT_WEIGHT = 1.5


@dataclass(frozen=True)
class TextActivity:
    """What the text readers need of one activity."""

    id: int
    occurred_at: dt.datetime
    is_private: bool
    kind: str
    direction: str
    subject: str
    body: str
    author: str = ""
    people_names: tuple[str, ...] = ()
    company_names: tuple[str, ...] = ()

    @property
    def said_by_buyer(self) -> bool:
        """Inbound mail, or the notes of a meeting or call the buyer took part in."""
        return self.direction == "inbound" or self.kind in ("meeting", "call")


def activity_phrases(activity: TextActivity) -> list[tuple[str, float]]:
    """Key phrases of one activity with their weights; a single word already inside one of the
    activity's phrases adds nothing."""
    subject = clean_subject(activity.subject)
    text = subject + ".\n" + strip_manners(activity.body)
    masked = mask_names(text, people=activity.people_names, companies=activity.company_names)
    phrases = list(key_phrases(masked))
    subject_key = f" {phrase_key(subject)} "
    multi_tokens = {token for phrase, _ in phrases if " " in phrase for token in phrase_key(phrase).split()}
    kept = []
    for phrase, weight in phrases:
        if " " not in phrase:
            if phrase_key(phrase) in multi_tokens:
                continue
            weight *= SINGLE_WORD_WEIGHT
        elif f" {phrase_key(phrase)} " in subject_key:
            weight *= SUBJECT_WEIGHT
        kept.append((phrase, weight))
    return kept


@dataclass
class _Topic:
    score: float = 0.0
    activity_ids: set[int] = field(default_factory=set)
    public_ids: set[int] = field(default_factory=set)
    latest_at: dt.datetime | None = None
    forms: Counter = field(default_factory=Counter)
    public_forms: Counter = field(default_factory=Counter)

    def add(self, other: _Topic) -> None:
        self.score += other.score
        self.activity_ids |= other.activity_ids
        self.public_ids |= other.public_ids
        self.forms.update(other.forms)
        self.public_forms.update(other.public_forms)
        if other.latest_at and (self.latest_at is None or other.latest_at > self.latest_at):
            self.latest_at = other.latest_at


def _display(phrase: str) -> str:
    return phrase[0].upper() + phrase[1:] if phrase else phrase


def key_topics(
    activities: list[TextActivity], *, now: dt.datetime, phrases_of=activity_phrases
) -> list[dict]:
    """``Summary.key_topics`` from a record's recent activities, most relevant first."""
    when = {activity.id: activity.occurred_at for activity in activities}
    by_key: dict[str, _Topic] = {}
    member_scores: dict[str, float] = {}
    for activity in activities:
        age = max(0.0, (now - activity.occurred_at).total_seconds() / 86400)
        recency = 0.5 ** (age / TOPIC_HALF_LIFE_DAYS)
        for phrase, weight in phrases_of(activity):
            key = phrase_key(phrase)
            topic = by_key.setdefault(key, _Topic())
            topic.score += weight * recency
            member_scores[key] = member_scores.get(key, 0.0) + weight * recency
            topic.activity_ids.add(activity.id)
            topic.forms[phrase] += 1
            if not activity.is_private:
                topic.public_ids.add(activity.id)
                topic.public_forms[phrase] += 1
            if topic.latest_at is None or activity.occurred_at > topic.latest_at:
                topic.latest_at = activity.occurred_at

    # Near-duplicates: a phrase whose words all appear in a longer phrase joins it.
    parent = {key: key for key in by_key}

    def find(key: str) -> str:
        while parent[key] != key:
            parent[key] = parent[parent[key]]
            key = parent[key]
        return key

    words = {key: set(key.split()) for key in by_key}
    multi = [key for key in by_key if len(words[key]) > 1]
    for i, a in enumerate(multi):
        for b in multi[i + 1 :]:
            if words[a] <= words[b] or words[b] <= words[a]:
                parent[find(a)] = find(b)
    for key in by_key:
        if len(words[key]) == 1:
            holders = {find(m) for m in multi if words[key] <= words[m]}
            if len(holders) == 1:
                parent[key] = holders.pop()
            elif holders:
                parent[key] = key  # inside several different topics: says nothing on its own
                by_key[key].score = 0.0

    clusters: dict[str, _Topic] = {}
    members: dict[str, list[str]] = {}
    for key, topic in by_key.items():
        root = find(key)
        clusters.setdefault(root, _Topic()).add(topic)
        members.setdefault(root, []).append(key)

    topics = []
    for root, topic in clusters.items():
        if topic.score <= 0:
            continue
        private_only = not topic.public_ids
        # The label: the strongest member phrase, taken from a non-private activity when the topic
        # has one, so a private meeting's wording never reaches a topic everyone sees.
        candidates = []
        for key in members[root]:
            forms = by_key[key].forms if private_only else by_key[key].public_forms
            if forms:
                candidates.append((member_scores[key], -len(key), forms.most_common(1)[0][0]))
        if not candidates:
            continue
        label = max(candidates)[2]
        topics.append(
            {
                "text": _display(label),
                "score": topic.score,
                "latest_at": topic.latest_at.isoformat(),
                "activity_ids": sorted(topic.activity_ids, key=lambda i: (when[i], i), reverse=True),
                "private_only": private_only,
            }
        )
    topics.sort(key=lambda t: (-t["score"], t["text"]))
    topics = topics[:MAX_TOPICS]
    top = topics[0]["score"] if topics else 1.0
    for topic in topics:
        topic["score"] = round(topic["score"] / top, 3)
    return topics
