"""Read-side queries of the contact engine, shared by the pages, the admin and the commands."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db.models import Q, QuerySet
from django.db.models.functions import Coalesce, Lower

from accounts.domains import normalize_email
from contacts.models import ConfigurationProfile, Contact, ContactDecision
from users.models import User


def decisions_for_emails(*, emails: Iterable[str]) -> QuerySet[ContactDecision]:
    """Every decision the engine took about these addresses (case-insensitive), newest first,
    with what the "why" page shows beside each: the activity, contact, account and opportunity."""
    wanted = sorted({e for e in (normalize_email(x) or (x or "").strip().lower() for x in emails) if e})
    return (
        ContactDecision.objects.annotate(email_ci=Lower("email"))
        .filter(email_ci__in=wanted)
        .select_related(
            "activity", "participant", "contact", "lead", "account", "opportunity", "profile", "user"
        )
        .order_by("-created_at", "-id")
    )


def decisions_for_activity(*, activity_id: int) -> QuerySet[ContactDecision]:
    """The decisions taken on one activity, in the order they were taken (the Engagement Log)."""
    return (
        ContactDecision.objects.filter(activity_id=activity_id)
        .select_related("contact", "lead", "opportunity", "account")
        .order_by("created_at", "id")
    )


def contacts_created_by_backstory(*, queryset: QuerySet[Contact] | None = None) -> QuerySet[Contact]:
    """The seed's report ("Created By Backstory" = True), oldest first, with `created_on`: the
    date the CRM created the record, else the date it was stored here."""
    queryset = Contact.objects.all() if queryset is None else queryset
    return (
        queryset.filter(created_by_backstory=True)
        .select_related("account", "owner")
        .annotate(created_on=Coalesce("crm_created_at", "created_at"))
        .order_by("created_on", "id")
    )


def profile_users(*, profile: ConfigurationProfile) -> QuerySet[User]:
    """The users a profile applies to: its own, plus everyone without a profile when it is the default."""
    condition = Q(configuration_profile=profile)
    if profile.is_default:
        condition |= Q(configuration_profile__isnull=True)
    return User.objects.filter(condition)


def activity_ids_for_profile(*, profile: ConfigurationProfile, since: dt.datetime | None = None) -> list[int]:
    """The activities captured by the users a profile applies to (optionally since a time), oldest first."""
    from activities.models import Activity

    queryset = Activity.objects.filter(
        owner__in=profile_users(profile=profile), removed_from_sync_at__isnull=True
    )
    if since is not None:
        queryset = queryset.filter(occurred_at__gte=since)
    return list(queryset.order_by("occurred_at", "id").values_list("id", flat=True))
