"""Celery tasks: stable names, the insights queue, schedules declared in code."""

import pytest

from backstory.celery import app
from insights import tasks
from insights.models import Summary
from opportunities.tests.factories import OpportunityFactory


def test_tasks_have_stable_names_and_the_insights_queue():
    for task, name in (
        (tasks.refresh_summaries, "insights.summaries_refresh"),
        (tasks.refresh_stale_summaries, "insights.summaries_refresh_stale"),
        (tasks.refresh_all_summaries, "insights.summaries_refresh_all"),
        (tasks.take_engagement_snapshots, "insights.engagement_snapshots_take"),
    ):
        assert task.name == name and task.queue == "insights"
        assert name in app.tasks


def test_nightly_and_weekly_schedules():
    schedule = app.conf.beat_schedule
    assert schedule["insights-nightly-summaries"]["task"] == "insights.summaries_refresh_all"
    assert schedule["insights-weekly-snapshot"]["task"] == "insights.engagement_snapshots_take"
    assert schedule["insights-weekly-snapshot"]["schedule"].day_of_week == {1}


@pytest.mark.django_db
def test_refresh_task_takes_ids(frozen_now):
    opportunity = OpportunityFactory()
    result = tasks.refresh_summaries.delay(opportunity_ids=[opportunity.id]).get()
    assert result["opportunities"] == 1
    assert Summary.objects.filter(opportunity=opportunity).exists()
