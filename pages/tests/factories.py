"""Builders for Backstory page tests: a record with the engine's cached summary and people, in
exactly the shapes the insights engine writes (built with its factories)."""

import datetime as dt

from activities.tests.factories import ActivityFactory, ActivityOpportunityFactory, ParticipantFactory
from contacts.tests.factories import ContactFactory
from insights.tests.factories import EngagementSnapshotFactory, PersonEngagementFactory, SummaryFactory

NOW = dt.datetime(2026, 11, 23, 12, 0, tzinfo=dt.UTC)


def days_ago(days: float) -> dt.datetime:
    return NOW - dt.timedelta(days=days)


def iso(moment) -> str:
    return moment.isoformat()


def breakdown(score: int = 72, *, color: str = "green", band: str = "high") -> dict:
    return {
        "score": score,
        "band": band,
        "color": color,
        "window_weeks": 12,
        "components": [
            {"kind": "meeting", "count": 6, "weight": 3.0, "points": 18.0},
            {"kind": "call", "count": 2, "weight": 2.0, "points": 4.0},
            {"kind": "email_received", "count": 14, "weight": 1.5, "points": 21.0},
            {"kind": "email_sent", "count": 22, "weight": 1.0, "points": 22.0},
        ],
        "recency": {"last_activity_at": iso(days_ago(3)), "decayed_points": 52.4, "undecayed_points": 65.0},
        "normalisation": "Scaled against the busiest accounts of the org.",
        "explanation": "High engagement: 6 meetings and 14 replies in 12 weeks, the latest 3 days ago.",
    }


def metrics(scale: int = 1) -> dict:
    def period(n):
        return {
            "meetings": 2 * n,
            "executives_engaged": n,
            "emails_sent": 9 * n,
            "emails_received": 6 * n,
            "calls": n,
            "time_spent_minutes": 95 * n,
            "response_rate": 64,
            "people_engaged": 3 * n,
        }

    return {
        "last_7_days": period(1 * scale),
        "last_30_days": period(3 * scale),
        "last_90_days": period(7 * scale),
        "current_quarter": period(5 * scale),
        "current_year": {**period(20 * scale), "response_rate": None},
        "trend": [
            {
                "week_start": (dt.date(2026, 9, 7) + dt.timedelta(weeks=i)).isoformat(),
                "activities": (i * 7) % 11,
            }
            for i in range(12)
        ],
    }


def topic(text: str, activities, *, latest, private_only: bool = False) -> dict:
    return {
        "text": text,
        "score": 0.8,
        "latest_at": iso(latest),
        "activity_ids": [a.pk for a in activities],
        "private_only": private_only,
    }


def next_step(
    text: str, *, source: str = "crm_task", date=None, due=None, owner="Dana Rivera", activities=()
) -> dict:
    return {
        "text": text,
        "source": source,
        "date": iso(date) if date else None,
        "due_date": due.isoformat() if due else None,
        "owner": owner,
        "next_step_id": None,
        "activity_ids": [a.pk for a in activities],
        "private_only": False,
    }


def risk(
    title: str,
    *,
    detail: str = "",
    severity: str = "medium",
    date=None,
    activities=(),
    private_only=False,
    code="gap",
) -> dict:
    return {
        "code": code,
        "title": title,
        "detail": detail,
        "severity": severity,
        "date": iso(date) if date else None,
        "activity_ids": [a.pk for a in activities],
        "private_only": private_only,
    }


def activity_on(
    record, *, owner, days: float, private: bool = False, subject: str = "Pricing proposal", **kwargs
):
    """An activity matched to an account, or to an opportunity (and its account)."""
    from opportunities.models import Opportunity

    if isinstance(record, Opportunity):
        activity = ActivityFactory(
            account=record.account,
            owner=owner,
            occurred_at=days_ago(days),
            is_private=private,
            subject=subject,
            **kwargs,
        )
        ActivityOpportunityFactory(activity=activity, opportunity=record)
        return activity
    return ActivityFactory(
        account=record, owner=owner, occurred_at=days_ago(days), is_private=private, subject=subject, **kwargs
    )


def person_on(record, *, contact=None, user=None, score: int = 40, **kwargs):
    """A PersonEngagement row of an account or an opportunity, for a contact or an internal user."""
    from opportunities.models import Opportunity

    where = (
        {"opportunity": record, "account": record.account}
        if isinstance(record, Opportunity)
        else {"account": record}
    )
    # As the engine writes them: the contact's or user's title, seniority and department.
    if contact is not None:
        kwargs.setdefault("email", contact.email)
        kwargs.setdefault("name", contact.name)
        kwargs.setdefault("title", contact.title)
        kwargs.setdefault("seniority", contact.seniority)
        kwargs.setdefault("department", contact.department)
    if user is not None:
        from contacts.rules import department_from_title, seniority_from_title

        kwargs.setdefault("email", user.email)
        kwargs.setdefault("name", user.get_full_name())
        kwargs.setdefault("is_internal", True)
        kwargs.setdefault("title", user.title)
        kwargs.setdefault("seniority", seniority_from_title(user.title))
        kwargs.setdefault("department", department_from_title(user.title))
    kwargs.setdefault(
        "breakdown",
        {
            **breakdown(
                score,
                color="green" if score >= 50 else "red",
                band="high" if score >= 70 else "medium" if score >= 40 else "low",
            ),
            "summary": "Replies within a day; joined 3 of the last 4 meetings.",
            "benchmark": {"seniority": "director", "median": 38, "sample": 212, "delta": score - 38},
        },
    )
    return PersonEngagementFactory(contact=contact, user=user, engagement_score=score, **where, **kwargs)


def with_participant(activity, *, email: str, name: str = "Pat Buyer", **kwargs):
    return ParticipantFactory(activity=activity, email=email, name=name, **kwargs)


def full_account(*, account, rep, other_rep, people: int = 3):
    """An account with a complete summary: bullets in every recency band, a private-only topic owned
    by ``other_rep``, people (external and internal) and snapshots. Returns the pieces."""
    recent = activity_on(account, owner=rep, days=2, subject="Security review follow-up", direction="inbound")
    mid = activity_on(account, owner=rep, days=10, subject="Renewal timeline")
    month = activity_on(account, owner=rep, days=25, subject="Budget planning")
    old = activity_on(account, owner=rep, days=60, subject="Kick-off")
    secret = activity_on(
        account, owner=other_rep, days=3, private=True, subject="Confidential pricing exception"
    )
    summary = SummaryFactory(
        account=account,
        generated_at=NOW - dt.timedelta(hours=5),
        latest_activity_at=days_ago(2),
        engagement_level=72,
        engagement_breakdown=breakdown(72),
        metrics=metrics(),
        key_topics=[
            topic("SSO and security review", [recent, secret], latest=days_ago(2)),
            topic("Renewal timeline for Q1", [mid], latest=days_ago(10)),
            topic("Budget planning for next year", [month], latest=days_ago(25)),
            topic("Original kick-off goals", [old], latest=days_ago(60)),
            topic("Confidential discount request", [secret], latest=days_ago(3), private_only=True),
        ],
        next_steps=[
            next_step("Send revised pricing proposal", date=days_ago(1), due=dt.date(2026, 11, 30)),
            next_step("Book the security workshop", source="activity", date=days_ago(2), activities=[recent]),
        ],
        risks=[
            risk(
                "No reply from the economic buyer in 3 weeks",
                detail="Last reply from Jordan Lee on Nov 2.",
                severity="high",
                date=days_ago(21),
            ),
            risk("Only one contact engaged", severity="low", date=days_ago(40), activities=[old]),
        ],
    )
    contacts = []
    for i in range(people):
        contact = ContactFactory(
            account=account,
            seniority=["vp", "director", "manager", "c_level"][i % 4],
            department=["finance", "it", "procurement", "executive"][i % 4],
            title=["VP Finance", "IT Director", "Procurement Manager", "CEO"][i % 4],
            phone="+1 415 555 0100",
        )
        for activity in (recent, mid):
            with_participant(activity, email=contact.email, name=contact.name, contact=contact)
        person_on(
            account,
            contact=contact,
            score=80 - i * 7,
            time_spent_minutes=30 * (i + 1),
            activity_count=5 + i,
            emails_sent=3,
            emails_received=2,
            meetings=1,
            calls=0,
            last_activity_at=days_ago(2 + i * 9),
        )
        contacts.append(contact)
    # Someone who only appears on the other rep's private meeting.
    hidden = ContactFactory(
        account=account, first_name="Hidden", last_name="Person", seniority="c_level", department="executive"
    )
    with_participant(secret, email=hidden.email, name=hidden.name, contact=hidden)
    person_on(account, contact=hidden, score=90, last_activity_at=days_ago(3))
    # A colleague.
    with_participant(recent, email=rep.email, name=rep.get_full_name(), user=rep, is_internal=True)
    person_on(account, user=rep, score=66, time_spent_minutes=240, last_activity_at=days_ago(2))
    for week in range(6):
        EngagementSnapshotFactory(
            subject_type="account",
            subject_id=account.pk,
            week_start=dt.date(2026, 10, 12) + dt.timedelta(weeks=week),
            score=40 + week * 6,
        )
    return {
        "summary": summary,
        "recent": recent,
        "mid": mid,
        "month": month,
        "old": old,
        "secret": secret,
        "contacts": contacts,
        "hidden": hidden,
    }


CANVAS_SECRET = "canvas-consumer-secret-for-tests"


def signed_canvas_request(
    *,
    user_id: str = "",
    email: str = "",
    record_id: str = "",
    secret: str = CANVAS_SECRET,
    issued_at: float | None = None,
    envelope: dict | None = None,
) -> str:
    """A Salesforce Canvas signed request as Salesforce POSTs it: ``<base64 HMAC-SHA256>.<base64 JSON>``."""
    import base64
    import hashlib
    import hmac
    import json
    import time

    if envelope is None:
        envelope = {
            "algorithm": "HMACSHA256",
            "issuedAt": int(issued_at if issued_at is not None else time.time()),
            "userId": user_id,
            "context": {
                "user": {
                    "userId": user_id,
                    "email": email,
                    "fullName": "Dana Rivera",
                    "timeZone": "America/Los_Angeles",
                },
                "environment": {
                    "record": {"attributes": {"type": "Account"}, "Id": record_id},
                    "displayLocation": "Chatter",
                },
            },
        }
    context = base64.b64encode(json.dumps(envelope).encode()).decode()
    signature = base64.b64encode(
        hmac.new(secret.encode(), context.encode(), hashlib.sha256).digest()
    ).decode()
    return f"{signature}.{context}"
