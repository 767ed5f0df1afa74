"""CRM events become meetings (activities with source "crm")."""

from __future__ import annotations

from collections import defaultdict

from activities.models import Activity, Participant
from activities.services.filters import LocalFilterSet
from activities.services.matching import ProfileBook
from contacts.models import Contact, Lead
from users.models import User

from .base import ObjectReport, ObjectSync, PullContext, Record, crm_map
from .values import assign, parse_datetime, text

MAX_DURATION_MINUTES = 60 * 24 * 14  # the activity_duration_at_most_two_weeks constraint


def event_source_id(crm_id: str) -> str:
    """The activity's source id for a Salesforce event."""
    return f"sf-event:{crm_id}"


class EventSync(ObjectSync):
    """Events: a meeting each, with the event's owner (organizer) and its Who (a contact or lead)
    as participants where Backstory knows them. Activities Backstory captured itself and logged to
    the CRM are never rewritten from it.

    A new event goes through capture's rules like every captured activity: a local filter keeps it
    out (counted as excluded), and it is private when its owner keeps activities private by default.
    As for captured activities, the rules apply when the event first arrives, not again later."""

    object_name = "Event"
    model = Activity
    fields = (
        "Subject",
        "Description",
        "StartDateTime",
        "EndDateTime",
        "DurationInMinutes",
        "IsAllDayEvent",
        "Location",
        "OwnerId",
        "WhoId",
        "WhatId",
    )

    def apply(self, records: list[Record], ctx: PullContext, report: ObjectReport) -> None:
        owners = crm_map(User, (r.get("OwnerId") for r in records), "email", "first_name", "last_name")
        who = [r.get("WhoId") or "" for r in records]
        contacts = crm_map(
            Contact, (i for i in who if i.startswith("003")), "email", "first_name", "last_name"
        )
        leads = crm_map(Lead, (i for i in who if i.startswith("00Q")), "email", "first_name", "last_name")
        source_ids = [event_source_id(r["Id"]) for r in records]
        existing = {a.source_id: a for a in Activity.objects.filter(source_id__in=source_ids)}
        existing.update(
            {
                event_source_id(a.crm_id): a
                for a in Activity.objects.filter(crm_id__in=[r["Id"] for r in records]).exclude(
                    source_id__in=source_ids
                )
            }
        )
        filters = LocalFilterSet.load()
        profiles = ProfileBook.load(owner["pk"] for owner in owners.values())
        created: list[tuple[Activity, list[dict]]] = []
        kept: list[tuple[Activity, list[dict]]] = []
        changed_pks: set[int] = set()
        for record in records:
            owner = owners.get(record.get("OwnerId"))
            people = self._participants(
                owner, contacts.get(record.get("WhoId")), leads.get(record.get("WhoId"))
            )
            duration = record.get("DurationInMinutes")
            values = {
                "kind": Activity.Kind.MEETING,
                "source": Activity.Source.CRM,
                "source_id": event_source_id(record["Id"]),
                "subject": text(Activity, "subject", record.get("Subject")),
                "body": record.get("Description") or "",
                "occurred_at": parse_datetime(record.get("StartDateTime")),
                "duration_minutes": max(0, min(int(duration), MAX_DURATION_MINUTES))
                if duration is not None
                else None,
                "location": text(Activity, "location", record.get("Location")),
                "owner_id": owner["pk"] if owner else None,
                "direction": Activity.Direction.OUTBOUND
                if any(not p["is_internal"] for p in people)
                else Activity.Direction.INTERNAL,
                "crm_id": record["Id"],
            }
            activity = existing.get(values["source_id"])
            if activity is None:
                # Seed (LocalFilter): "Something never to capture: a domain, an address, or a subject keyword."
                hit = filters.hit(
                    profile_id=profiles.profile_id_for(values["owner_id"]),
                    subject=values["subject"],
                    emails=[person["email"] for person in people],
                )
                if hit is not None:
                    report.excluded += 1
                    continue
                values["is_private"] = profiles.is_private(values["owner_id"])
                created.append((Activity(**values), people))
                continue
            if activity.source != Activity.Source.CRM:
                continue  # captured by Backstory and logged to the CRM: the capture is the record
            changed = assign(activity, values)
            if changed:
                activity.save(update_fields=changed)
                changed_pks.add(activity.pk)
            kept.append((activity, people))
        if created:
            Activity.objects.bulk_create([activity for activity, _ in created])
            report.created += len(created)
        created_pks = {activity.pk for activity, _ in created}
        changed_pks |= self._sync_participants([*created, *kept])
        report.updated += len(changed_pks - created_pks)
        # New and changed meetings are matched to accounts and opportunities after the run.
        ctx.matched_activity_ids.update(created_pks | changed_pks)

    @staticmethod
    def _participants(owner: dict | None, contact: dict | None, lead: dict | None) -> list[dict]:
        people = []
        if owner and owner["email"]:
            people.append(
                {
                    "email": owner["email"].lower(),
                    "first_name": owner["first_name"],
                    "last_name": owner["last_name"],
                    "name": f"{owner['first_name']} {owner['last_name']}".strip(),
                    "role": Participant.Role.ORGANIZER,
                    "is_internal": True,
                    "user_id": owner["pk"],
                    "contact_id": None,
                    "lead_id": None,
                }
            )
        person = contact or lead
        if person and person["email"] and all(p["email"] != person["email"].lower() for p in people):
            people.append(
                {
                    "email": person["email"].lower(),
                    "first_name": person["first_name"],
                    "last_name": person["last_name"],
                    "name": f"{person['first_name']} {person['last_name']}".strip(),
                    "role": Participant.Role.ATTENDEE,
                    "is_internal": False,
                    "user_id": None,
                    "contact_id": contact["pk"] if contact else None,
                    "lead_id": lead["pk"] if lead else None,
                }
            )
        return people

    @staticmethod
    def _sync_participants(items: list[tuple[Activity, list[dict]]]) -> set[int]:
        """Make each activity's participants exactly the event's people; return the activities that changed."""
        current: dict[int, dict[str, Participant]] = defaultdict(dict)
        for participant in Participant.objects.filter(activity_id__in=[a.pk for a, _ in items]):
            current[participant.activity_id][participant.email] = participant
        changed: set[int] = set()
        new: list[Participant] = []
        stale: list[int] = []
        for activity, people in items:
            have = current.get(activity.pk, {})
            wanted = {p["email"]: p for p in people}
            for email, participant in have.items():
                if email not in wanted:
                    stale.append(participant.pk)
                    changed.add(activity.pk)
            for email, values in wanted.items():
                participant = have.get(email)
                if participant is None:
                    new.append(Participant(activity_id=activity.pk, **values))
                    changed.add(activity.pk)
                elif assign(participant, values):
                    participant.save()
                    changed.add(activity.pk)
        Participant.objects.filter(pk__in=stale).delete()
        Participant.objects.bulk_create(new)
        return changed

    def local_crm_ids(self):
        return Activity.objects.filter(source=Activity.Source.CRM, crm_id__isnull=False).values_list(
            "crm_id", flat=True
        )

    def remove(self, crm_ids: list[str], ctx: PullContext, report: ObjectReport) -> None:
        report.deleted += (
            Activity.objects.filter(crm_id__in=crm_ids, source=Activity.Source.CRM)
            .delete()[1]
            .get(Activity._meta.label, 0)
        )
