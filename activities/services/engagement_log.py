"""What a person does from the Engagement Log: Edit Match, and (admins) remove an activity from sync;
and an admin's raw edit of an activity in the Django admin, which must leave the same traces."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from accounts.models import Account
from backstory import clock
from contacts.services.removal import contacts_remove_created_from_activity
from opportunities.models import Opportunity
from rollups.services import rollups_kept_current, rollups_refresh

from ..handoff import hand_off_after_capture, hand_off_after_removal, summaries_stale_where_matched
from ..models import Activity, ActivityOpportunity
from ..selectors import activity_is_visible_to
from .crm_sync import enqueue_activity_unsynced


def _who(user) -> str:
    return user.get_full_name() or user.get_username()


@transaction.atomic
def activity_match_manually(
    *, activity: Activity, user, account: Account | None, opportunities: Sequence[Opportunity] = ()
) -> Activity:
    """Match an activity by hand to ``account`` (or to nothing) and some of its opportunities.

    The manual match sticks: re-matching after CRM changes never touches it (``is_manually_matched``).
    Raises ValidationError when an opportunity is not on the chosen account.
    """
    if not activity_is_visible_to(user=user, activity=activity):
        raise PermissionDenied("You cannot see this activity, so you cannot change its match.")
    opportunities = list(dict.fromkeys(opportunities))
    if account is None and opportunities:
        raise ValidationError("Choose the account of the opportunities too, or clear the opportunities.")
    wrong = [o.name for o in opportunities if o.account_id != account.pk] if account else []
    if wrong:
        raise ValidationError(
            f"{', '.join(wrong)} {'is' if len(wrong) == 1 else 'are'} not on {account.name}: "
            "choose opportunities of the chosen account."
        )
    activity = Activity.objects.select_for_update().get(pk=activity.pk)
    summaries_stale_where_matched([activity.pk])
    now = clock.now()
    target = account.name if account else "no account"
    if opportunities:
        target += " and " + ", ".join(f"“{o.name}”" for o in opportunities)
    with rollups_kept_current(activity_ids=[activity.pk]):
        activity.account = account
        activity.lead = None
        activity.account_match = Activity.AccountMatch.MANUAL
        activity.opportunity_match = (
            Activity.OpportunityMatch.MANUAL if opportunities else Activity.OpportunityMatch.NONE
        )
        activity.is_manually_matched = True
        activity.matched_at = now
        activity.match_explanation = f"Matched by hand to {target} by {_who(user)} on {now:%d %b %Y}. Automatic re-matching leaves it as it is."
        activity.save(
            update_fields=[
                "account",
                "lead",
                "account_match",
                "opportunity_match",
                "is_manually_matched",
                "matched_at",
                "match_explanation",
            ]
        )
        ActivityOpportunity.objects.filter(activity=activity).delete()
        ActivityOpportunity.objects.bulk_create(
            ActivityOpportunity(activity=activity, opportunity=o, match=Activity.OpportunityMatch.MANUAL)
            for o in opportunities
        )
    hand_off_after_capture([activity.pk])
    return activity


def activity_match_automatically(*, activity: Activity, user) -> Activity:
    """Undo a manual match: the activity is matched by the rules again, and follows later re-matching."""
    from .rematching import match_activities

    if not activity_is_visible_to(user=user, activity=activity):
        raise PermissionDenied("You cannot see this activity, so you cannot change its match.")
    with transaction.atomic():
        Activity.objects.filter(pk=activity.pk).update(is_manually_matched=False, match_explanation="")
        match_activities(activity_ids=[activity.pk], hand_off=True)
    activity.refresh_from_db()
    return activity


@dataclass
class Removal:
    activity: Activity
    contacts_removed: list[str]
    contact_roles_removed: list[str]


@transaction.atomic
def activity_remove_from_sync(*, activity: Activity, user) -> Removal:
    """An admin removes an activity from sync, and what Backstory created from it.

    Seed: "What if a contact was synced to Salesforce that shouldn't have been? You can use the
    Engagement Log to remove it." The activity is kept (for the audit) but counts nowhere; what
    Backstory created from it is removed by the contact engine's one removal path
    (`contacts_remove_created_from_activity`: here, in the CRM when one is connected, recorded).
    """
    if not user.is_admin:
        raise PermissionDenied("Only an admin can remove an activity from sync.")
    activity = Activity.objects.select_for_update().get(pk=activity.pk)
    if activity.removed_from_sync_at is not None:
        return Removal(activity, [], [])
    with rollups_kept_current(activity_ids=[activity.pk]):
        activity.removed_from_sync_at = clock.now()
        activity.removed_by = user
        activity.save(update_fields=["removed_from_sync_at", "removed_by"])

    removed = contacts_remove_created_from_activity(activity=activity, removed_by=user)
    # Its Task or Event goes too (only when one was created or is on its way).
    enqueue_activity_unsynced(activity)

    hand_off_after_removal([activity.pk])
    return Removal(activity, removed.contacts, removed.contact_roles)


@contextmanager
def activity_edited_by_admin(activity: Activity) -> Iterator[None]:
    """Around an admin's edit of an activity in the Django admin (any field, its participants, its
    opportunity links; or a new one added by hand): the same traces as Edit Match. The summaries of
    where it was and where it is now are marked stale at once (a private activity leaves every
    reader's page), the rollups follow, and the engines read it again after commit, so its Task or
    Event in Salesforce follows too (Design: "A private activity is ... shown only to its owner and
    admins": never pushed to the CRM)."""
    if activity.pk is None:
        yield
        rollups_refresh(activity_ids=[activity.pk])
    else:
        summaries_stale_where_matched([activity.pk])  # where it was: read before the change
        with rollups_kept_current(activity_ids=[activity.pk]):
            yield
    summaries_stale_where_matched([activity.pk])  # where it is now, opportunities included
    hand_off_after_capture([activity.pk])
