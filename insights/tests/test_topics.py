"""Key topics: the phrases a person would pick from a few realistic threads."""

import datetime as dt

import pytest

from insights.services.text import acceptable_phrase, clean_subject, key_phrases, mask_names, phrase_key
from insights.services.topics import TextActivity, key_topics

from .factories import NOW

COMPANY = ("Northwind Logistics", "Northwind", "lumen-analytics", "lumen analytics", "lumen")
PEOPLE = ("Olivia", "Chen", "Olivia Chen", "Dana", "Rivera", "Dana Rivera", "Marcus", "Lee")


def said(n, days, subject, body, *, direction="outbound", kind="email", private=False):
    return TextActivity(
        id=n,
        occurred_at=NOW - dt.timedelta(days=days),
        is_private=private,
        kind=kind,
        direction=direction,
        subject=subject,
        body=body,
        author="Dana Rivera",
        people_names=PEOPLE,
        company_names=COMPANY,
    )


THREADS = [
    said(
        1,
        12,
        "Pricing proposal for Northwind Logistics",
        "Hi Olivia,\n\nThanks for your time today. Attached is the pricing proposal for Northwind Logistics: the Enterprise "
        "tier with premium support and the onboarding package.\n\nBest,\nDana",
    ),
    said(
        2,
        11,
        "RE: Pricing proposal for Northwind Logistics",
        "Hi Dana,\n\nOur CFO reviewed the pricing proposal. We need a volume discount for 500 seats and multi-year "
        "pricing before we can sign.\n\nThanks,\nOlivia",
        direction="inbound",
    ),
    said(
        3,
        9,
        "RE: Pricing proposal for Northwind Logistics",
        "Olivia, here is the revised pricing proposal with the volume discount and a three-year term.\n\nDana",
    ),
    said(
        4,
        20,
        "Security review",
        "Hello Dana,\n\nOur InfoSec team needs your SOC 2 report and the data residency options before the security "
        "review. Marcus Lee will run it.\n\nRegards,\nOlivia",
        direction="inbound",
    ),
    said(
        5,
        18,
        "Security review with Northwind InfoSec",
        "Walked through the SOC 2 report, data residency in the EU and single sign-on with Okta. Marcus asked about "
        "data residency for the backups.",
        kind="meeting",
    ),
    said(
        6,
        30,
        "Implementation timeline",
        "Hi Olivia,\n\nThe implementation timeline puts the Salesforce integration in month one and go-live in March."
        "\n\nCheers,\nDana",
    ),
]


def texts(topics):
    return [t["text"].lower() for t in topics]


def test_realistic_threads_give_the_phrases_a_person_would_pick():
    topics = key_topics(THREADS, now=NOW)
    found = texts(topics)
    assert found[0] == "pricing proposal"
    for expected in ("volume discount", "security review", "data residency"):
        assert expected in found, found
    assert any("implementation timeline" in t for t in found), found
    assert len(topics) <= 8
    assert topics[0]["score"] == 1.0 and all(0 < t["score"] <= 1 for t in topics)


def test_near_duplicates_are_merged_with_all_their_activities():
    topics = key_topics(THREADS, now=NOW)
    pricing = next(t for t in topics if t["text"] == "Pricing proposal")
    assert not any("revised pricing" in t for t in texts(topics))
    assert set(pricing["activity_ids"]) == {1, 2, 3}
    assert pricing["activity_ids"] == [3, 2, 1]  # most recent first
    assert pricing["latest_at"] == (NOW - dt.timedelta(days=9)).isoformat()
    assert pricing["private_only"] is False


def test_greetings_names_companies_and_boilerplate_never_become_topics():
    for topic in texts(key_topics(THREADS, now=NOW)):
        for word in (
            "olivia",
            "dana",
            "marcus",
            "northwind",
            "lumen",
            "thanks",
            "hi ",
            "regards",
            "attached",
            "500",
        ):
            assert word not in topic, topic


def test_a_topic_only_a_private_activity_mentions_is_flagged_and_keeps_its_activity():
    activities = [
        said(10, 2, "Renewal", "The renewal quote covers the analytics add-on.", private=True),
        said(11, 3, "Renewal", "Sending the renewal quote with the analytics add-on."),
        said(
            12,
            1,
            "Board meeting",
            "Acquisition rumours: the merger integration plan and layoffs are confidential.",
            kind="meeting",
            private=True,
        ),
    ]
    topics = {t["text"].lower(): t for t in key_topics(activities, now=NOW)}
    renewal = next(t for text, t in topics.items() if "renewal quote" in text or "analytics add-on" in text)
    assert renewal["private_only"] is False and 11 in renewal["activity_ids"]
    private = [t for t in topics.values() if t["activity_ids"] == [12]]
    assert private and all(t["private_only"] for t in private)


def test_the_label_of_a_shared_topic_is_worded_as_a_visible_activity_wrote_it():
    activities = [
        said(
            20,
            1,
            "Revised pricing proposal",
            "Revised pricing proposal for the board.",
            kind="meeting",
            private=True,
        ),
        said(21, 5, "Pricing proposal", "Here is the pricing proposal."),
    ]
    topic = key_topics(activities, now=NOW)[0]
    assert topic["text"] == "Pricing proposal" and topic["private_only"] is False
    assert topic["activity_ids"] == [20, 21]
    alone = key_topics(activities[:1], now=NOW)[0]
    assert alone["text"] == "Revised pricing proposal" and alone["private_only"] is True


@pytest.mark.parametrize(
    "phrase, ok",
    [
        ("pricing proposal", True),
        ("MSA", True),
        ("SOC 2 report", True),
        ("proof of concept", True),
        ("plan the QBR", False),
        ("500 seats", False),
        ("Thanks Olivia", False),
        ("ok", False),
        ("Friday", False),
        ("$25,000 per year", False),
        ("attached proposal", False),
        ("confidential revised", False),
        ("adjust", False),
        ("Review", False),
        ("security review", True),
        ("Evaluation", True),
        ("renewal", True),
    ],
)
def test_what_counts_as_a_topic_phrase(phrase, ok):
    assert acceptable_phrase(phrase) is ok


def test_a_phrase_cut_out_of_an_of_construction_is_not_a_topic():
    phrases = [
        p
        for p, _ in key_phrases(
            "Proof of concept success criteria.\nThe proof of concept success criteria are agreed."
        )
    ]
    assert not any(p.lower().startswith("concept success") for p in phrases), phrases


def test_text_helpers():
    assert clean_subject("RE: Fwd: RE: Pricing proposal") == "Pricing proposal"
    assert phrase_key("Revised pricing-proposals") == "revised pricing proposal"
    masked = mask_names(
        "Hi Olivia, Northwind logistics wants the MSA", people=("Olivia",), companies=("Northwind Logistics",)
    )
    assert "Olivia" not in masked and "Northwind" not in masked and "MSA" in masked
    assert key_phrases("") == ()
