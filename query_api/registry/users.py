"""User metrics (reference, "User Object"), each computed in SQL per user row.

A user's activity is what they took part in, read from the activity's participants: the sender
(``from``) of an email or call, a recipient (``to``/``cc``/``bcc``) of an email, the organizer of
a meeting. Performance metrics read the opportunities the user owns and their quotas.
"""

from __future__ import annotations

import dataclasses

from django.db.models import DecimalField, F, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce

from activities.counting import prefixed
from activities.models import Participant
from users.models import Quota

from . import activity, daily
from .sql import (
    Computed,
    Tally,
    coalesced_in_window,
    in_window,
    percent,
    person_name,
    tallied,
)
from .types import DataType, Metric, QueryContext, QueryObject, Variation

USER = QueryObject.USER
MONEY = DecimalField(max_digits=20, decimal_places=2)
CORE = "Core user fields"
ACTIVITY = "User activity"
PERFORMANCE = "User performance"
ENGAGEMENT = "User engagement"
# Quotas exist per month, quarter and year: attainment has no meaning over rolling days or weeks.
NOT_A_QUOTA_PERIOD = ("current", "last_7_days", "last_30_days", "last_90_days", "current_week")
QUOTA_KIND = {
    "monthly": Quota.Period.MONTH,
    "current_month": Quota.Period.MONTH,
    "last_month": Quota.Period.MONTH,
    "quarterly": Quota.Period.QUARTER,
    "current_quarter": Quota.Period.QUARTER,
    "last_quarter": Quota.Period.QUARTER,
    "yearly": Quota.Period.YEAR,
    "current_year": Quota.Period.YEAR,
    "last_year": Quota.Period.YEAR,
}
# The reference's user example uses ``ootb_user_count_emails_sent`` (not in its tables), and its
# variations example asks a user metric next to ``ootb_emails_sent``: on the user object the
# unsuffixed activity slugs name the user's own metric (Design: "an alias of the user's emails-sent metric").
ALIASES = {
    "ootb_user_count_emails_sent": "ootb_emails_sent_user",
    "ootb_emails_sent": "ootb_emails_sent_user",
    "ootb_emails_received": "ootb_emails_received_user",
    "ootb_calls_made": "ootb_calls_made_user",
    "ootb_response_rate": "ootb_response_rate_user",
}


def _field(name):
    return lambda variation, ctx: F(name)


def _took_part(variation: Variation, condition, roles, *, field: str = "activity", also: Q = Q()) -> Tally:
    """Distinct counted activities matching ``condition`` in the period where the user had one of
    ``roles``; ``also`` is a further condition on the participation rows (already prefixed)."""
    on_activity = prefixed(activity.IN_SYNC & condition & in_window(variation, "occurred_at"), "activity__")
    return Tally("participations", "COUNT", field, Q(role__in=roles) & on_activity & also, distinct=True)


def _rolled_up(counter: str):
    return lambda variation, ctx: daily.rolled_up(variation, counter)


def _response_rate(variation: Variation, ctx: QueryContext):
    return daily.rolled_up_percent(variation, "emails_replied", "emails_sent")


def _acceptance_rate(variation: Variation, ctx: QueryContext):
    return daily.rolled_up_percent(variation, "invitations_accepted", "invitations")


def _accounts_engaged(variation: Variation, ctx: QueryContext):
    every_role = [role for role, _ in Participant.Role.choices]
    engaged = _took_part(variation, Q(account__isnull=False), every_role, field="activity__account")
    return tallied(engaged, default=0)


def _activities_logged(variation: Variation, ctx: QueryContext):
    logged = activity.IN_SYNC & Q(crm_id__isnull=False) & in_window(variation, "occurred_at")
    return tallied(Tally("activities", "COUNT", condition=logged), default=0)


def _new_contacts(variation: Variation, ctx: QueryContext):
    added = coalesced_in_window(variation, "crm_created_at", "created_at")
    return tallied(Tally("owned_contacts", "COUNT", condition=added), default=0)


def _created_in(variation: Variation, function: str = "COUNT") -> Computed:
    created = coalesced_in_window(variation, "created_date", "created_at")
    if function == "SUM":
        return tallied(Tally("owned_opportunities", "SUM", "amount", created, output_field=MONEY), default=0)
    return tallied(Tally("owned_opportunities", "COUNT", condition=created), default=0)


def _closed_in(variation: Variation, function: str = "COUNT", **condition) -> Tally:
    closed = Q(is_closed=True, **condition) & coalesced_in_window(
        variation, "actual_close_date", "close_date", dates=True
    )
    if function == "SUM":
        return Tally("owned_opportunities", "SUM", "amount", closed, output_field=MONEY)
    return Tally("owned_opportunities", "COUNT", condition=closed)


def _revenue(variation: Variation) -> Computed:
    return tallied(_closed_in(variation, "SUM", is_won=True), default=0)


def _quota_attainment(variation: Variation, ctx: QueryContext):
    # The quota of the period's kind (month, quarter, year) whose dates cover the period's first day.
    quota = Quota.objects.filter(
        user=OuterRef("pk"),
        period=QUOTA_KIND[variation.period],
        start_date__lte=variation.window.first_day,
        end_date__gte=variation.window.first_day,
    ).order_by("-start_date")
    amount = Subquery(quota.values("amount")[:1], output_field=MONEY)
    revenue = _closed_in(variation, "SUM", is_won=True)
    return Computed((revenue,), lambda won: percent(Coalesce(won, Value(0), output_field=MONEY), amount))


def _win_rate(variation: Variation, ctx: QueryContext):
    return Computed((_closed_in(variation, is_won=True), _closed_in(variation)), percent)


def metrics() -> list[Metric]:
    """Every user slug of the reference, then the aliases."""

    def m(slug, family, label, data_type, definition, build, **extra):
        return Metric(
            slug=slug,
            object=USER,
            family=family,
            label=label,
            data_type=data_type,
            definition=definition,
            build=build,
            **extra,
        )

    number, string, date = DataType.NUMBER, DataType.STRING, DataType.DATE
    percentage = {"value_range": (0, 100)}
    defined = [
        m(
            "crm_user_id",
            CORE,
            "CRM user id",
            string,
            "The user's id in the CRM; null for people who are not CRM users.",
            _field("crm_id"),
        ),
        m("user_name", CORE, "Name", string, "The user's full name.", lambda v, c: person_name("")),
        m("user_email", CORE, "Email", string, "The user's email address.", _field("email")),
        m("user_role", CORE, "Role", string, "Job title or role.", _field("title")),
        m("team_name", CORE, "Team", string, "The team the user belongs to.", _field("team__name")),
        m(
            "manager_name",
            CORE,
            "Manager",
            string,
            "Full name of the user's direct manager.",
            lambda v, c: person_name("manager__"),
        ),
        m("hire_date", CORE, "Hire date", date, "The user's start date.", _field("hire_date")),
        m(
            "ootb_emails_sent_user",
            ACTIVITY,
            "Emails sent",
            number,
            "Emails the user sent to people outside the company in the period.",
            _rolled_up("emails_sent"),
            periods=("daily", "weekly", "monthly", "quarterly"),
            windowed=True,
        ),
        m(
            "ootb_emails_received_user",
            ACTIVITY,
            "Emails received",
            number,
            "Emails the user received from people outside the company in the period.",
            _rolled_up("emails_received"),
            periods=("daily", "weekly", "monthly", "quarterly"),
            windowed=True,
        ),
        m(
            "ootb_meetings_booked",
            ACTIVITY,
            "Meetings booked",
            number,
            "Meetings the user organized that are scheduled in the period (not cancelled).",
            _rolled_up("meetings_booked"),
            periods=("weekly", "monthly", "quarterly"),
            windowed=True,
        ),
        m(
            "ootb_calls_made_user",
            ACTIVITY,
            "Calls made",
            number,
            "Calls the user made in the period.",
            _rolled_up("calls_made"),
            periods=("daily", "weekly", "monthly"),
            windowed=True,
        ),
        m(
            "ootb_activities_logged",
            ACTIVITY,
            "Activities logged",
            number,
            "Activities captured from the user's mailbox or calendar that were logged to the CRM, in the period.",
            _activities_logged,
            periods=("weekly", "monthly", "quarterly"),
            windowed=True,
        ),
        m(
            "ootb_pipeline_generated",
            PERFORMANCE,
            "Pipeline generated",
            number,
            "Sum of the amounts of the opportunities the user owns that were created in the period.",
            lambda v, c: _created_in(v, "SUM"),
            periods=("monthly", "quarterly", "yearly"),
            windowed=True,
        ),
        m(
            "ootb_opportunities_created",
            PERFORMANCE,
            "Opportunities created",
            number,
            "Opportunities the user owns that were created in the period.",
            lambda v, c: _created_in(v),
            periods=("monthly", "quarterly", "yearly"),
            windowed=True,
        ),
        m(
            "ootb_deals_won",
            PERFORMANCE,
            "Deals won",
            number,
            "Opportunities the user owns that were won, by close date in the period.",
            lambda v, c: tallied(_closed_in(v, is_won=True), default=0),
            periods=("monthly", "quarterly", "yearly"),
            windowed=True,
        ),
        m(
            "ootb_revenue_generated",
            PERFORMANCE,
            "Revenue generated",
            number,
            "Sum of the amounts of the user's opportunities won in the period.",
            lambda v, c: _revenue(v),
            periods=("monthly", "quarterly", "yearly"),
            windowed=True,
        ),
        m(
            "ootb_quota_attainment",
            PERFORMANCE,
            "Quota attainment",
            number,
            "Revenue won in the period as a percentage of the user's quota for it (the month, quarter or year quota covering the period's first day); null without a quota.",
            _quota_attainment,
            periods=("monthly", "quarterly", "yearly"),
            windowed=True,
            excluded_periods=NOT_A_QUOTA_PERIOD,
            default_period="quarterly",
        ),
        m(
            "ootb_win_rate",
            PERFORMANCE,
            "Win rate",
            number,
            "Percentage of the user's opportunities closed in the period that were won.",
            _win_rate,
            periods=("quarterly", "yearly"),
            windowed=True,
            **percentage,
        ),
        m(
            "ootb_response_rate_user",
            ENGAGEMENT,
            "Response rate",
            number,
            "Percentage of the emails the user sent in the period that got a reply.",
            _response_rate,
            periods=("monthly", "quarterly"),
            windowed=True,
            **percentage,
        ),
        m(
            "ootb_meeting_acceptance_rate",
            ENGAGEMENT,
            "Meeting acceptance rate",
            number,
            "Percentage of the external invitations to meetings the user organized in the period that were accepted.",
            _acceptance_rate,
            periods=("monthly", "quarterly"),
            windowed=True,
            **percentage,
        ),
        m(
            "ootb_account_penetration",
            ENGAGEMENT,
            "Accounts engaged",
            number,
            "Distinct accounts with an activity the user took part in during the period.",
            _accounts_engaged,
            periods=("monthly", "quarterly"),
            windowed=True,
        ),
        m(
            "ootb_new_contact_creation",
            ENGAGEMENT,
            "New contacts",
            number,
            "Contacts owned by the user that were added in the period.",
            _new_contacts,
            periods=("monthly", "quarterly"),
            windowed=True,
        ),
    ]
    by_slug = {metric.slug: metric for metric in defined}
    aliases = [
        dataclasses.replace(by_slug[target], slug=alias, alias_of=target) for alias, target in ALIASES.items()
    ]
    return defined + aliases
