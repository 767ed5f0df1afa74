"""Potential risks and deal warnings: each with a case that must fire and one that must not."""

import datetime as dt

import pytest

from accounts.tests.factories import AccountFactory
from insights.models import InsightsConfiguration
from insights.services import risks
from insights.services.risks import RecordFacts, Stakeholder, TimelineItem, deal_warnings, record_risks
from insights.services.summaries import load_stalled_threads
from opportunities.tests.factories import OpportunityFactory, OpportunityStageHistoryFactory

from .factories import NOW, activity_on

TODAY = NOW.date()


def ago(days: float) -> dt.datetime:
    return NOW - dt.timedelta(days=days)


def item(n: int, days: float, component: str = "email_sent", private: bool = False) -> TimelineItem:
    return TimelineItem(n, ago(days), component, private)


def timeline(*items: TimelineItem) -> list[TimelineItem]:
    return sorted(items, key=lambda i: i.occurred_at, reverse=True)


def opportunity(stage="Discovery", **fields):
    fields.setdefault("close_date", dt.date(2026, 12, 31))
    return OpportunityFactory.build(stage=stage, **fields)


def facts(kind="account", **fields) -> RecordFacts:
    return RecordFacts(kind=kind, record_id=1, label="Acme", **fields)


def codes(bullets) -> list[str]:
    return [b["code"] for b in bullets]


# --- communication gap --------------------------------------------------------------------------

WEEKLY = [item(n, 20 + 7 * n, "meeting") for n in range(10)]  # a meeting every week, the last 20 days ago


def test_gap_fires_when_silence_is_longer_than_twice_the_usual_cadence_and_two_weeks():
    bullet = risks.communication_gap(facts(timeline=timeline(*WEEKLY, item(99, 3))), now=NOW)
    assert bullet["code"] == "communication_gap" and bullet["severity"] == "medium"
    assert bullet["activity_ids"] == [99, 0]  # the attempt since, then the last two-way activity
    assert "No reply, meeting or call for 20 days" in bullet["detail"] and "every 7 days" in bullet["detail"]
    assert bullet["date"] == ago(3).isoformat()


def test_no_gap_within_the_usual_cadence():
    slow = [item(n, 10 + 30 * n, "meeting") for n in range(6)]  # monthly; last 10 days ago
    assert risks.communication_gap(facts(timeline=timeline(*slow)), now=NOW) is None
    assert (
        risks.communication_gap(
            facts(timeline=timeline(*[item(n, 20 + 30 * n, "meeting") for n in range(6)])), now=NOW
        )
        is None
    )


def test_a_slow_account_has_a_gap_only_after_its_own_longer_cadence():
    monthly = [item(n, 65 + 30 * n, "email_received") for n in range(6)]
    bullet = risks.communication_gap(facts(timeline=timeline(*monthly)), now=NOW)
    assert bullet and "every 30 days" in bullet["detail"] and bullet["severity"] == "medium"


def test_no_reply_at_all_is_a_gap_once_two_weeks_passed():
    assert (
        risks.communication_gap(facts(timeline=timeline(item(1, 30), item(2, 20))), now=NOW)["severity"]
        == "high"
    )
    assert risks.communication_gap(facts(timeline=timeline(item(1, 10))), now=NOW) is None
    assert risks.communication_gap(facts(timeline=[]), now=NOW) is None


# --- stakeholders -------------------------------------------------------------------------------

RECENT = timeline(item(1, 5, "meeting"), item(2, 10), item(3, 12, "email_received"))


def test_missing_stakeholders_past_an_early_stage():
    people = [Stakeholder("a@acme.com", ago(5), "manager"), Stakeholder("b@acme.com", ago(10), "director")]
    bullet = risks.missing_stakeholders(
        facts("opportunity", timeline=RECENT, stakeholders=people, opportunity=opportunity("Proposal")),
        now=NOW,
    )
    assert bullet["severity"] == "high" and bullet["activity_ids"] == [1, 2, 3]
    assert "2 people at the customer did" in bullet["detail"]


@pytest.mark.parametrize(
    "stage, people",
    [
        ("Qualification", [Stakeholder("a@acme.com", ago(5), "manager")]),  # early stage
        ("Proposal", [Stakeholder("a@acme.com", ago(5), "vp")]),  # an executive
        (
            "Proposal",
            [Stakeholder("a@acme.com", ago(5), "manager", is_decision_maker=True)],
        ),  # a decision maker
        ("Closed Lost", [Stakeholder("a@acme.com", ago(5), "manager")]),  # closed
    ],
)
def test_no_missing_stakeholders(stage, people):
    assert (
        risks.missing_stakeholders(
            facts("opportunity", timeline=RECENT, stakeholders=people, opportunity=opportunity(stage)),
            now=NOW,
        )
        is None
    )


def test_an_executive_engaged_long_ago_does_not_count():
    people = [Stakeholder("ceo@acme.com", ago(120), "c_level"), Stakeholder("a@acme.com", ago(5), "manager")]
    assert risks.missing_stakeholders(
        facts("opportunity", timeline=RECENT, stakeholders=people, opportunity=opportunity("Discovery")),
        now=NOW,
    )


def test_single_threaded_when_one_person_carries_every_recent_activity():
    one = [Stakeholder("a@acme.com", ago(5), "manager"), Stakeholder("old@acme.com", ago(200), "vp")]
    assert (
        risks.single_threaded(facts(timeline=RECENT, stakeholders=one), now=NOW)["code"] == "single_threaded"
    )
    two = one + [Stakeholder("b@acme.com", ago(12), "director")]
    assert risks.single_threaded(facts(timeline=RECENT, stakeholders=two), now=NOW) is None
    assert (
        risks.single_threaded(facts(timeline=RECENT[:2], stakeholders=one), now=NOW) is None
    )  # too little to tell


# --- stalled threads ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_stalled_threads_are_the_last_unanswered_emails_of_their_threads():
    account = AccountFactory()
    stalled = activity_on(account=account, occurred_at=ago(12), thread_id="quiet")
    activity_on(account=account, occurred_at=ago(20), thread_id="chased")
    chased_last = activity_on(account=account, occurred_at=ago(9), thread_id="chased")
    activity_on(account=account, occurred_at=ago(15), thread_id="answered")
    activity_on(account=account, direction="inbound", occurred_at=ago(14), thread_id="answered")
    activity_on(account=account, occurred_at=ago(3), thread_id="fresh")  # not 7 days yet
    activity_on(account=account, occurred_at=ago(90), thread_id="history")  # older than 60 days
    found = load_stalled_threads("account", [account.id], now=NOW, after_days=7)
    assert sorted(i.id for i in found[account.id]) == sorted([stalled.id, chased_last.id])
    bullet = risks.stalled_threads(facts(stalled=found[account.id]), now=NOW, after_days=7)
    assert (
        bullet["detail"]
        == "2 email threads got no reply: the last emails were sent between 9 and 12 days ago (threshold 7 days)."
    )
    assert bullet["severity"] == "medium"
    assert risks.stalled_threads(facts(stalled=[]), now=NOW, after_days=7) is None


def test_stalled_private_threads_are_private_only():
    bullet = risks.stalled_threads(facts(stalled=[item(1, 10, private=True)]), now=NOW, after_days=7)
    assert bullet["private_only"] is True


# --- close date and stage -----------------------------------------------------------------------


def test_close_date_passed():
    late = risks.close_date_passed(
        facts("opportunity", opportunity=opportunity(close_date=dt.date(2026, 11, 15)), timeline=RECENT),
        today=TODAY,
    )
    assert late["detail"].startswith("The expected close date (15 Nov 2026) passed 8 days ago")
    assert late["private_only"] is False and late["activity_ids"] == [1, 2, 3]  # context
    assert (
        risks.close_date_passed(facts("opportunity", opportunity=opportunity(close_date=TODAY)), today=TODAY)
        is None
    )
    assert (
        risks.close_date_passed(
            facts("opportunity", opportunity=opportunity("Closed Won", close_date=dt.date(2026, 1, 1))),
            today=TODAY,
        )
        is None
    )


def test_too_long_in_stage_against_the_org_median():
    base = {"opportunity": opportunity("Discovery"), "typical_stage_days": 10.0, "typical_stage_sample": 5}
    assert (
        risks.too_long_in_stage(facts("opportunity", stage_entered_at=ago(25), **base), now=NOW)["code"]
        == "too_long_in_stage"
    )
    assert risks.too_long_in_stage(facts("opportunity", stage_entered_at=ago(15), **base), now=NOW) is None
    # With too few samples the default of 30 days applies.
    few = dict(base, typical_stage_sample=2)
    assert risks.too_long_in_stage(facts("opportunity", stage_entered_at=ago(25), **few), now=NOW) is None
    assert (
        "30 days is assumed"
        in risks.too_long_in_stage(facts("opportunity", stage_entered_at=ago(61), **few), now=NOW)["detail"]
    )


@pytest.mark.django_db
def test_stage_timing_from_history():
    for n in range(5):
        opp = OpportunityFactory(created_date=ago(100))
        OpportunityStageHistoryFactory(opportunity=opp, stage="Prospecting", changed_at=ago(100))
        OpportunityStageHistoryFactory(opportunity=opp, stage="Discovery", changed_at=ago(100 - 10 - n))
    timing = risks.stage_timing()
    assert timing.stay["Prospecting"] == (12.0, 5)
    assert timing.reach_exit["Prospecting"] == (12.0, 5)


def test_closed_opportunities_have_no_risks():
    closed = facts(
        "opportunity",
        opportunity=opportunity("Closed Lost", close_date=dt.date(2026, 1, 1)),
        timeline=timeline(item(1, 200)),
    )
    assert record_risks(closed, now=NOW, today=TODAY, stalled_thread_days=7) == []


# --- deal warnings ------------------------------------------------------------------------------

CONFIG = InsightsConfiguration()


def warn(**fields) -> list[str]:
    fields.setdefault("opportunity", opportunity("Discovery", created_date=ago(200)))
    return codes(deal_warnings(facts("opportunity", **fields), config=CONFIG, now=NOW, today=TODAY))


def healthy(**overrides) -> dict:
    people = [Stakeholder(f"p{n}@acme.com", ago(3), "vp" if n == 0 else "manager") for n in range(3)]
    fields = {
        "timeline": timeline(item(1, 2, "meeting"), item(2, 3), item(3, 4, "email_received")),
        "stakeholders": people,
        "stage_entered_at": ago(10),
        "pricing_discussed": True,
    }
    fields.update(overrides)
    return fields


def test_a_healthy_deal_has_no_warning():
    assert warn(**healthy()) == []


@pytest.mark.parametrize(
    "code, overrides",
    [
        ("no_activity", {"timeline": timeline(item(1, 20, "meeting"))}),
        ("ghosted", {"timeline": timeline(item(1, 16), item(2, 18), item(3, 30, "email_received"))}),
        (
            "overdue_close_date",
            {
                "opportunity": opportunity(
                    "Discovery", close_date=dt.date(2026, 11, 20), created_date=ago(200)
                )
            },
        ),
        ("not_enough_contacts", {"stakeholders": [Stakeholder("a@acme.com", ago(3), "vp")]}),
        ("no_power", {"stakeholders": [Stakeholder(f"p{n}@acme.com", ago(3), "manager") for n in range(3)]}),
        (
            "pricing_not_discussed",
            {"opportunity": opportunity("Proposal", created_date=ago(200)), "pricing_discussed": False},
        ),
        ("stalled_in_stage", {"stage_entered_at": ago(31)}),
    ],
)
def test_each_warning_fires_and_can_be_switched_off(code, overrides):
    assert code in warn(**healthy(**overrides))
    switched_off = InsightsConfiguration(**{f"{code}_enabled": False})
    found = deal_warnings(
        facts(
            "opportunity",
            **{"opportunity": opportunity("Discovery", created_date=ago(200)), **healthy(**overrides)},
        ),
        config=switched_off,
        now=NOW,
        today=TODAY,
    )
    assert code not in codes(found)


@pytest.mark.parametrize(
    "code, overrides, threshold",
    [
        ("no_activity", {"timeline": timeline(item(1, 20, "meeting"))}, {"no_activity_days": 21}),
        (
            "ghosted",
            {"timeline": timeline(item(1, 16), item(2, 18), item(3, 30, "email_received"))},
            {"ghosted_days": 31},
        ),
        (
            "overdue_close_date",
            {
                "opportunity": opportunity(
                    "Discovery", close_date=dt.date(2026, 11, 20), created_date=ago(200)
                )
            },
            {"overdue_close_date_days": 5},
        ),
        (
            "not_enough_contacts",
            {"stakeholders": [Stakeholder("a@acme.com", ago(3), "vp")]},
            {"not_enough_contacts_min": 1},
        ),
        (
            "no_power",
            {
                "stakeholders": [Stakeholder("ceo@acme.com", ago(80), "c_level")]
                + [Stakeholder(f"p{n}@acme.com", ago(3), "manager") for n in range(3)]
            },
            {"no_power_days": 90},
        ),
        (
            "pricing_not_discussed",
            {"opportunity": opportunity("Proposal", created_date=ago(200)), "pricing_discussed": False},
            {"pricing_not_discussed_from_stage": "Negotiation"},
        ),
        ("stalled_in_stage", {"stage_entered_at": ago(31)}, {"stalled_in_stage_days": 45}),
    ],
)
def test_each_warning_respects_its_threshold(code, overrides, threshold):
    fields = healthy(**overrides)
    fields.setdefault("opportunity", opportunity("Discovery", created_date=ago(200)))
    found = deal_warnings(
        facts("opportunity", **fields), config=InsightsConfiguration(**threshold), now=NOW, today=TODAY
    )
    assert code not in codes(found)


def test_ghosted_needs_us_to_keep_reaching_out():
    assert "ghosted" not in warn(**healthy(timeline=timeline(item(1, 16), item(3, 30, "email_received"))))


def test_warnings_only_for_open_opportunities():
    assert warn(**healthy(opportunity=opportunity("Closed Won", created_date=ago(200)), timeline=[])) == []
    assert deal_warnings(facts("account", **healthy(timeline=[])), config=CONFIG, now=NOW, today=TODAY) == []
