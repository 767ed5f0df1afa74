"""Opportunity metrics (reference, "Opportunity Object"), each computed in SQL per opportunity row.

Stage figures read the stage history (``OpportunityStageHistory``): the opportunity entered its
current stage at its latest history row, and its sales cycle started at its first one.
"""

from __future__ import annotations

from django.db.models import Case, DateField, DateTimeField, F, IntegerField, OuterRef, Value, When
from django.db.models.functions import Coalesce, Greatest, Round, TruncDate

from activities.counting import prefixed
from opportunities.models import OpportunityStageHistory
from query_api.timeframes import ALL_TIME

from . import activity, daily
from .sql import (
    Computed,
    DaysBetween,
    Tally,
    count,
    date_value,
    earliest,
    in_window,
    latest,
    person_name,
    ratio,
)
from .types import DataType, Metric, QueryContext, QueryObject, Variation

ALL_TIME_VARIATION = Variation("current", ALL_TIME)

OPPORTUNITY = QueryObject.OPPORTUNITY
CORE = "Core opportunity fields"
STAGE = "Opportunity stage & status"
SCORING = "Opportunity scoring & prediction"
ACTIVITY = "Opportunity activity"


def _field(name):
    return lambda variation, ctx: F(name)


def _history():
    return OpportunityStageHistory.objects.filter(opportunity=OuterRef("pk"))


def entered_current_stage():
    """When the opportunity entered its current stage: its latest stage change."""
    return Coalesce(
        latest(_history(), "changed_at", output_field=DateTimeField()),
        "stage_changed_at",
        "created_date",
        "created_at",
        output_field=DateTimeField(),
    )


def cycle_days(ctx: QueryContext):
    """Days from the first stage change (or creation) to the close date, or to today while open."""
    started = Coalesce(
        earliest(_history(), "changed_at", output_field=DateTimeField()),
        "created_date",
        "created_at",
        output_field=DateTimeField(),
    )
    ended = Case(
        When(
            is_closed=True,
            then=Coalesce("actual_close_date", TruncDate("stage_changed_at"), date_value(ctx.today)),
        ),
        default=date_value(ctx.today),
        output_field=DateField(),
    )
    return DaysBetween(ended, TruncDate(started))


def _velocity(variation: Variation, ctx: QueryContext):
    # Stage changes per 30 days of sales cycle: 4 changes over 150 days is 0.8.
    changes = Greatest(count(_history()) - Value(1), Value(0), output_field=IntegerField())
    per_day = ratio(changes, Greatest(cycle_days(ctx), Value(1), output_field=IntegerField()), scale=30.0)
    return Round(per_day, 2)


def _linked(variation: Variation, condition, function: str = "COUNT", field: str = "pk", **extra) -> Tally:
    """A tally of the activities matched to the opportunity (through ``ActivityOpportunity``)."""
    on_activity = prefixed(activity.IN_SYNC & condition & in_window(variation, "occurred_at"), "activity__")
    return Tally("activity_links", function, field, on_activity, **extra)


def _last_meaningful(ctx: QueryContext) -> Computed:
    latest_at = _linked(
        ALL_TIME_VARIATION,
        activity.meaningful(ctx),
        "MAX",
        "activity__occurred_at",
        output_field=DateTimeField(),
    )
    return Computed((latest_at,), TruncDate)


def metrics() -> list[Metric]:
    """Every opportunity slug of the reference."""

    def m(slug, family, label, data_type, definition, build, **extra):
        return Metric(
            slug=slug,
            object=OPPORTUNITY,
            family=family,
            label=label,
            data_type=data_type,
            definition=definition,
            build=build,
            **extra,
        )

    number, string, boolean, date = DataType.NUMBER, DataType.STRING, DataType.BOOLEAN, DataType.DATE
    score = {"value_range": (0, 100)}
    counts = {"periods": ("total", "last_30_days"), "windowed": True, "default_period": "total"}
    return [
        m(
            "crm_opportunity_id",
            CORE,
            "CRM opportunity id",
            string,
            "The opportunity's id in the CRM.",
            _field("crm_id"),
        ),
        m(
            "crm_opportunity_name",
            CORE,
            "Opportunity name",
            string,
            "The opportunity's name.",
            _field("name"),
        ),
        m(
            "crm_account_id",
            CORE,
            "CRM account id",
            string,
            "The CRM id of the opportunity's account.",
            _field("account__crm_id"),
        ),
        m(
            "crm_account_name",
            CORE,
            "Account name",
            string,
            "The name of the opportunity's account.",
            _field("account__name"),
        ),
        m(
            "opportunity_owner",
            CORE,
            "Opportunity owner",
            string,
            "Full name of the opportunity owner.",
            lambda v, c: person_name("owner__"),
        ),
        m("opportunity_value", CORE, "Amount", number, "The deal value (amount).", _field("amount")),
        m(
            "expected_close_date",
            CORE,
            "Expected close date",
            date,
            "The forecast close date.",
            _field("close_date"),
        ),
        m(
            "actual_close_date",
            CORE,
            "Actual close date",
            date,
            "The date it closed; null while open.",
            _field("actual_close_date"),
        ),
        m("ootb_opportunity_stage", STAGE, "Stage", string, "The current sales stage.", _field("stage")),
        m(
            "ootb_stage_probability",
            STAGE,
            "Stage probability",
            number,
            "Win probability % of the current stage.",
            _field("probability"),
            **score,
        ),
        m(
            "ootb_days_in_current_stage",
            STAGE,
            "Days in current stage",
            number,
            "Whole days from the latest stage change to today.",
            lambda v, ctx: DaysBetween(date_value(ctx.today), TruncDate(entered_current_stage())),
        ),
        m(
            "ootb_total_sales_cycle_days",
            STAGE,
            "Sales cycle days",
            number,
            "Whole days from the first stage (creation) to the close date, or to today while open.",
            lambda v, ctx: cycle_days(ctx),
        ),
        m(
            "ootb_stage_progression_velocity",
            STAGE,
            "Stage progression velocity",
            number,
            "Stage changes per 30 days of the sales cycle, to two decimals.",
            _velocity,
        ),
        m(
            "ootb_win_probability_score",
            SCORING,
            "Win probability",
            number,
            "Predicted win likelihood, from the opportunity summary.",
            _field("summary__win_probability"),
            **score,
        ),
        m(
            "ootb_deal_velocity_score",
            SCORING,
            "Deal velocity",
            number,
            "Deal progression speed, from the opportunity summary.",
            _field("summary__deal_velocity"),
            **score,
        ),
        m(
            "ootb_competition_risk_score",
            SCORING,
            "Competition risk",
            number,
            "Competitive threat level, from the opportunity summary.",
            _field("summary__competition_risk"),
            **score,
        ),
        m(
            "ootb_budget_confirmed_score",
            SCORING,
            "Budget confirmed",
            number,
            "Budget qualification score, from the opportunity summary.",
            _field("summary__budget_confirmed"),
            **score,
        ),
        m(
            "ootb_emails_sent_opp",
            ACTIVITY,
            "Emails sent",
            number,
            "Emails sent for this opportunity in the period.",
            lambda v, c: daily.rolled_up(v, "emails_sent"),
            **counts,
        ),
        m(
            "ootb_meetings_held_opp",
            ACTIVITY,
            "Meetings held",
            number,
            "Meetings held for this opportunity in the period (not cancelled).",
            lambda v, ctx: daily.held_up_to_now(
                v, ctx, lambda condition: _linked(ALL_TIME_VARIATION, condition)
            ),
            **counts,
        ),
        m(
            "ootb_last_meaningful_activity_date",
            ACTIVITY,
            "Last meaningful activity",
            date,
            "Date of the last email or call with the customer, or meeting held, matched to the opportunity.",
            lambda v, ctx: _last_meaningful(ctx),
        ),
        m(
            "ootb_stakeholder_engagement_count",
            ACTIVITY,
            "Stakeholders engaged",
            number,
            "Number of stakeholders contacted, from the opportunity summary.",
            _field("summary__stakeholder_count"),
        ),
        m(
            "ootb_champion_identified",
            ACTIVITY,
            "Champion identified",
            boolean,
            "Whether a champion contact is identified, from the opportunity summary.",
            _field("summary__champion_identified"),
        ),
    ]
