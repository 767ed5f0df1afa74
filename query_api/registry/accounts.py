"""Account metrics (reference, "Account Object"), each computed in SQL per account row."""

from __future__ import annotations

from django.db.models import DateTimeField, DecimalField, F, OuterRef, Q, Subquery
from django.db.models.functions import TruncDate

from accounts.models import AccountDomain
from insights.models import EngagementSnapshot

from . import activity, daily
from .sql import (
    Computed,
    DaysBetween,
    Tally,
    average,
    blank_as_null,
    coalesced_in_window,
    date_value,
    in_date_window,
    person_name,
    tallied,
)
from .types import DataType, Metric, QueryContext, QueryObject, Variation

ACCOUNT = QueryObject.ACCOUNT
MONEY = DecimalField(max_digits=20, decimal_places=2)
ACTIVITY_PERIODS = ("last_7_days", "last_30_days", "current_quarter", "current_year")

CORE = "Core account fields"
HEALTH = "Account health & scoring"
ACTIVITY = "Account activity"
PIPELINE = "Account pipeline"
TRENDS = "Account engagement trends"


def _field(name):
    return lambda variation, ctx: F(name)


def _last_activity(ctx: QueryContext) -> Tally:
    return Tally(
        "activities",
        "MAX",
        "occurred_at",
        activity.IN_SYNC & activity.meaningful(ctx),
        output_field=DateTimeField(),
        probe=True,  # the (account, occurred_at) index, read backwards
    )


def _rolled_up(counter: str):
    return lambda variation, ctx: daily.rolled_up(variation, counter)


def _response_rate(variation: Variation, ctx: QueryContext):
    return daily.rolled_up_percent(variation, "emails_replied", "emails_sent")


def _meetings_held(variation: Variation, ctx: QueryContext):
    return daily.held_up_to_now(
        variation, ctx, lambda condition: Tally("activities", "COUNT", condition=condition)
    )


def _engagement_level(variation: Variation, ctx: QueryContext):
    if variation.is_all_time:
        return F("summary__engagement_level")
    # Reference: "last_30_days, last_90_days, current_quarter": the mean of the weekly
    # engagement snapshots whose week starts in the period.
    weeks = EngagementSnapshot.objects.filter(
        subject_type=EngagementSnapshot.Subject.ACCOUNT, subject_id=OuterRef("pk")
    ).filter(in_date_window(variation, "week_start"))
    return average(weeks, "score")


def _pipeline(condition: Q = Q(), function: str = "SUM") -> Computed:
    if function == "AVG":
        return tallied(Tally("opportunities", "AVG", "amount", condition & Q(amount__isnull=False)))
    return tallied(Tally("opportunities", function, "amount", condition, output_field=MONEY), default=0)


def _closed_in(variation: Variation, *, won: bool) -> Q:
    closed = Q(is_closed=True, is_won=won)
    return closed & coalesced_in_window(variation, "actual_close_date", "close_date", dates=True)


def _opportunity_count(variation: Variation, ctx: QueryContext):
    subsets = {"open": Q(is_closed=False), "won": Q(is_won=True), "lost": Q(is_closed=True, is_won=False)}
    condition = subsets.get(variation.period) or coalesced_in_window(variation, "created_date", "created_at")
    return tallied(Tally("opportunities", "COUNT", condition=condition), default=0)


def _primary_domain(variation, ctx):
    return Subquery(
        AccountDomain.objects.filter(account=OuterRef("pk"), is_primary=True).values("domain")[:1]
    )


def metrics() -> list[Metric]:
    """Every account slug of the reference."""

    def m(slug, family, label, data_type, definition, build, **extra):
        return Metric(
            slug=slug,
            object=ACCOUNT,
            family=family,
            label=label,
            data_type=data_type,
            definition=definition,
            build=build,
            **extra,
        )

    number, string, boolean, date = DataType.NUMBER, DataType.STRING, DataType.BOOLEAN, DataType.DATE
    score = {"value_range": (0, 100)}
    return [
        m(
            "ootb_account_crm_id",
            CORE,
            "CRM account id",
            string,
            "The account's id in the CRM.",
            _field("crm_id"),
        ),
        m("ootb_account_name", CORE, "Account name", string, "The account's company name.", _field("name")),
        m(
            "crm_account_owner",
            CORE,
            "Account owner",
            string,
            "Full name of the account owner.",
            lambda v, c: person_name("owner__"),
        ),
        m("account_domain", CORE, "Domain", string, "The account's primary mail domain.", _primary_domain),
        m(
            "industry",
            CORE,
            "Industry",
            string,
            'The account\'s industry classification ("" when the CRM has none).',
            _field("industry"),
        ),
        m("company_size", CORE, "Company size", number, "Number of employees.", _field("company_size")),
        m(
            "annual_revenue",
            CORE,
            "Annual revenue",
            number,
            "The company's annual revenue.",
            _field("annual_revenue"),
        ),
        m(
            "account_tier",
            CORE,
            "Account tier",
            string,
            'Tier or segment: Enterprise, Mid-Market or SMB ("" when unset).',
            _field("tier"),
        ),
        m(
            "ootb_account_engagement_level",
            HEALTH,
            "Engagement level",
            number,
            "Overall engagement level from the account summary; over a period, the mean of the weekly engagement snapshots in it.",
            _engagement_level,
            periods=("last_30_days", "last_90_days", "current_quarter"),
            windowed=True,
            **score,
        ),
        m(
            "ootb_relationship_strength",
            HEALTH,
            "Relationship strength",
            number,
            "Relationship depth score from the account summary.",
            _field("summary__relationship_strength"),
            **score,
        ),
        m(
            "ootb_buying_intent_score",
            HEALTH,
            "Buying intent",
            number,
            "Likelihood to purchase, from the account summary.",
            _field("summary__buying_intent"),
            **score,
        ),
        m(
            "ootb_churn_risk_score",
            HEALTH,
            "Churn risk",
            number,
            "Risk of account churn, from the account summary.",
            _field("summary__churn_risk"),
            **score,
        ),
        m(
            "ootb_emails_sent",
            ACTIVITY,
            "Emails sent",
            number,
            "Emails sent to the account's people in the period.",
            _rolled_up("emails_sent"),
            periods=ACTIVITY_PERIODS,
            windowed=True,
        ),
        m(
            "ootb_emails_received",
            ACTIVITY,
            "Emails received",
            number,
            "Emails received from the account's people in the period.",
            _rolled_up("emails_received"),
            periods=ACTIVITY_PERIODS,
            windowed=True,
        ),
        m(
            "ootb_meetings_held",
            ACTIVITY,
            "Meetings held",
            number,
            "Meetings with the account that took place in the period (not cancelled).",
            _meetings_held,
            periods=ACTIVITY_PERIODS,
            windowed=True,
        ),
        m(
            "ootb_calls_made",
            ACTIVITY,
            "Calls made",
            number,
            "Calls to the account's people in the period.",
            _rolled_up("calls"),
            periods=ACTIVITY_PERIODS,
            windowed=True,
        ),
        m(
            "ootb_last_activity_days",
            ACTIVITY,
            "Days since last activity",
            number,
            "Whole days from the last meaningful activity (an email or call with the account, or a meeting held) to today; null when there was none.",
            lambda v, ctx: Computed(
                (_last_activity(ctx),), lambda last: DaysBetween(date_value(ctx.today), TruncDate(last))
            ),
        ),
        m(
            "ootb_last_activity_date",
            ACTIVITY,
            "Last activity date",
            date,
            "Date of the last meaningful activity with the account.",
            lambda v, ctx: Computed((_last_activity(ctx),), TruncDate),
        ),
        m(
            "ootb_response_rate",
            ACTIVITY,
            "Response rate",
            number,
            "Percentage of the emails sent to the account in the period that got a reply (null when none was sent).",
            _response_rate,
            periods=("last_30_days", "current_quarter"),
            windowed=True,
            value_range=(0, 100),
        ),
        m(
            "ootb_total_pipeline_value",
            PIPELINE,
            "Total pipeline value",
            number,
            "Sum of the amounts of all the account's opportunities.",
            lambda v, c: _pipeline(),
        ),
        m(
            "ootb_open_pipeline_value",
            PIPELINE,
            "Open pipeline value",
            number,
            "Sum of the amounts of the account's open opportunities.",
            lambda v, c: _pipeline(Q(is_closed=False)),
        ),
        m(
            "ootb_won_pipeline_value",
            PIPELINE,
            "Won pipeline value",
            number,
            "Sum of the amounts of opportunities won, by close date in the period.",
            lambda v, c: _pipeline(_closed_in(v, won=True)),
            periods=("current_quarter", "current_year", "last_quarter"),
            windowed=True,
        ),
        m(
            "ootb_lost_pipeline_value",
            PIPELINE,
            "Lost pipeline value",
            number,
            "Sum of the amounts of opportunities lost, by close date in the period.",
            lambda v, c: _pipeline(_closed_in(v, won=False)),
            periods=("current_quarter", "current_year", "last_quarter"),
            windowed=True,
        ),
        m(
            "ootb_opportunity_count",
            PIPELINE,
            "Opportunities",
            number,
            "Number of opportunities: all (total), open, won or lost; over a period, those created in it.",
            _opportunity_count,
            periods=("total", "open", "won", "lost"),
            windowed=True,
            default_period="total",
        ),
        m(
            "ootb_average_deal_size",
            PIPELINE,
            "Average deal size",
            number,
            "Mean amount of the account's opportunities that have an amount.",
            lambda v, c: _pipeline(function="AVG"),
        ),
        m(
            "ootb_engagement_trend",
            TRENDS,
            "Engagement trend",
            string,
            "Direction of engagement: increasing, stable or declining.",
            lambda v, c: blank_as_null("summary__engagement_trend"),
            values=("increasing", "stable", "declining"),
        ),
        m(
            "ootb_activity_frequency",
            TRENDS,
            "Activity frequency",
            string,
            "Activity frequency trend: high, medium or low.",
            lambda v, c: blank_as_null("summary__activity_frequency"),
            values=("high", "medium", "low"),
        ),
        m(
            "ootb_multi_threading_score",
            TRENDS,
            "Multi-threading",
            number,
            "Number of the account's contacts engaged.",
            _field("summary__multi_threading"),
        ),
        m(
            "ootb_executive_engagement",
            TRENDS,
            "Executive engagement",
            boolean,
            "Whether a C-level contact is engaged.",
            _field("summary__executive_engagement"),
        ),
    ]
