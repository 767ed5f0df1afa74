"""Writes to opportunities' tables for the apps above it: the CRM pull (crm/sync/deals.py) maps
Salesforce records to values, and writes them here.

Set-based where the pull is: new opportunities and next steps with one insert per page.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.db import transaction
from django.db.models import QuerySet

from .models import NextStep, Opportunity, OpportunityContactRole, OpportunityStageHistory


def opportunities_write(
    *, created: Sequence[Opportunity] = (), changed: Iterable[tuple[Opportunity, list[str]]] = ()
) -> list[Opportunity]:
    """Save the changed fields of existing opportunities, then insert the new ones with one statement."""
    for opportunity, fields in changed:
        opportunity.save(update_fields=[*fields, "updated_at"])
    return Opportunity.objects.bulk_create(created) if created else []


def opportunities_delete(*, opportunities: QuerySet[Opportunity]) -> None:
    """Delete opportunities (deleted in the CRM): history, roles and next steps go with them."""
    opportunities.delete()


def stage_history_create(*, opportunity: Opportunity, crm_id: str, **values) -> OpportunityStageHistory:
    """Record a stage change of an opportunity."""
    return OpportunityStageHistory.objects.create(opportunity=opportunity, crm_id=crm_id, **values)


def stage_history_save(*, entry: OpportunityStageHistory) -> None:
    entry.save()


def stage_history_delete(*, pks: Iterable[int]) -> int:
    """Delete stage history rows; returns how many."""
    return OpportunityStageHistory.objects.filter(pk__in=list(pks)).delete()[0]


def contact_role_demote_other_primaries(*, role: OpportunityContactRole) -> int:
    """One primary role per opportunity, as in Salesforce: a role about to be primary demotes the
    others. Returns how many were demoted."""
    return (
        OpportunityContactRole.objects.filter(opportunity_id=role.opportunity_id, is_primary=True)
        .exclude(pk=role.pk)
        .update(is_primary=False)
    )


def contact_role_save(*, role: OpportunityContactRole) -> None:
    """Save a contact role in a savepoint: raises IntegrityError, changing nothing, when the contact
    already has another role on the opportunity."""
    with transaction.atomic():
        role.save()


def contact_roles_delete(*, roles: QuerySet[OpportunityContactRole]) -> None:
    roles.delete()


def next_steps_write(
    *, created: Sequence[NextStep] = (), changed: Iterable[tuple[NextStep, list[str]]] = ()
) -> list[NextStep]:
    """Save the changed fields of existing next steps, then insert the new ones with one statement."""
    for step, fields in changed:
        step.save(update_fields=fields)
    return NextStep.objects.bulk_create(created) if created else []


def next_steps_delete(*, steps: QuerySet[NextStep]) -> None:
    steps.delete()
