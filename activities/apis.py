"""``POST /api/v1/activities``: capture a batch of emails, meetings and calls sent as JSON."""

from __future__ import annotations

import re

from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import serializers, status
from rest_framework.authentication import SessionAuthentication, TokenAuthentication
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from users.api_keys import CAPTURE_SCOPE, ApiKeyAuthentication, ApiKeyClient, token_has_scope

from .models import Activity, Participant
from .parsing import InvalidActivity, parse_api_item
from .services import IngestSession, Status

MAX_BATCH = 1_000
_FIELD_REASON = re.compile(r"^(?P<field>[A-Za-z_][\w.\[\]]*): (?P<reason>.+)$", re.S)
_UNKNOWN_FIELD = re.compile(r"^unknown field '(?P<field>[^']+)'")


def split_reason(reason: str) -> tuple[str, str]:
    """("participants[1].email", "not a valid email address: 'ana@'") from the parser's reason."""
    match = _FIELD_REASON.match(reason)
    if match:
        return match["field"], match["reason"]
    match = _UNKNOWN_FIELD.match(reason)
    return (match["field"] if match else ""), reason


class ParticipantItemSerializer(serializers.Serializer):
    email = serializers.EmailField()
    name = serializers.CharField(required=False, help_text='Display name; "Ruiz, Ana" works too.')
    role = serializers.ChoiceField(
        choices=Participant.Role.choices,
        required=False,
        help_text="Default: to for an email, attendee otherwise. An email needs one participant with role from.",
    )
    response = serializers.ChoiceField(choices=Participant.Response.choices, required=False)


class ActivityItemSerializer(serializers.Serializer):
    """One email, meeting or call. Each item is checked on its own: a bad one is refused with its index,
    the others are stored."""

    kind = serializers.ChoiceField(choices=Activity.Kind.choices)
    source_id = serializers.CharField(help_text="Your stable id: an activity is stored once per source_id.")
    occurred_at = serializers.DateTimeField(help_text="ISO 8601 with an offset or Z.")
    subject = serializers.CharField(required=False, allow_blank=True)
    body = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text="Plain text; for an email, quoted replies and the signature are split off.",
    )
    duration_minutes = serializers.IntegerField(
        required=False, min_value=0, help_text="Meetings and calls only."
    )
    private = serializers.BooleanField(
        required=False, default=False, help_text="Shown only to its owner and admins."
    )
    cancelled = serializers.BooleanField(required=False, default=False)
    location = serializers.CharField(required=False)
    thread_id = serializers.CharField(required=False)
    in_reply_to = serializers.CharField(required=False)
    participants = ParticipantItemSerializer(many=True)


class ItemErrorSerializer(serializers.Serializer):
    index = serializers.IntegerField(help_text="Position of the item in `activities`, from 0.")
    field = serializers.CharField(
        help_text="The offending field, e.g. participants[1].email; empty for the whole item."
    )
    reason = serializers.CharField()


class ItemResultSerializer(serializers.Serializer):
    index = serializers.IntegerField()
    status = serializers.ChoiceField(choices=["created", "duplicate", "excluded", "error", "forbidden"])
    source_id = serializers.CharField()
    activity_id = serializers.IntegerField(allow_null=True)
    reason = serializers.CharField(
        help_text="Why it was a duplicate, excluded by a local filter, refused, or forbidden (a colleague's activity)."
    )


class ActivityCaptureApi(APIView):
    """Capture up to 1,000 activities per request; each is stored once (by ``source_id``)."""

    authentication_classes = [ApiKeyAuthentication, TokenAuthentication, SessionAuthentication]
    permission_classes = [IsAuthenticated]

    class InputSerializer(serializers.Serializer):
        activities = ActivityItemSerializer(
            many=True,
            max_length=MAX_BATCH,
            help_text=f"At most {MAX_BATCH:,} items. Unknown fields are refused, so a typo is reported, not ignored.",
        )

    class OutputSerializer(serializers.Serializer):
        created = serializers.IntegerField(help_text="New activities stored.")
        duplicates = serializers.IntegerField(
            help_text="Items already captured (same source_id): nothing changed."
        )
        excluded = serializers.IntegerField(help_text="Items a local filter excluded: not captured.")
        processing = serializers.ChoiceField(
            choices=["started", "deferred", "none"],
            help_text="started: the new activities went to the contact engine and summaries; deferred: the "
            "broker is unreachable, they are stored and will be processed when it returns (nothing to re-send); "
            "none: nothing new.",
        )
        errors = ItemErrorSerializer(many=True, help_text="One entry per refused item.")
        results = ItemResultSerializer(many=True, help_text="One entry per item, in order.")
        detail = serializers.CharField(
            required=False,
            help_text="A problem with the whole batch (400), or a key without the capture scope (403).",
        )

    @extend_schema(
        operation_id="activities_capture",
        summary="Capture a batch of emails, meetings and calls",
        description=(
            'Send `{"activities": [item, ...]}` (a bare array is accepted too), at most 1,000 items. Each good item '
            "is stored once; re-sending a batch is safe. Bad items are refused one by one with their index, field and "
            "reason, and never stop the good ones.\n\n"
            "* **201** every item was good and at least one is new.\n"
            "* **200** every item was good but nothing is new (all duplicates or excluded by local filters).\n"
            "* **207** some items were refused and the others were read: see `errors`.\n"
            "* **400** nothing could be read: every item was refused, the batch was empty, or it held more than 1,000 items.\n"
            "* **403** every item belongs to a colleague: a rep captures only their own activities (ones they sent, "
            "organised, or are on, stored as theirs); an admin, or an API key with the `capture` scope, captures for anyone.\n\n"
            "A rep's item that a colleague sent or organised is refused with status `forbidden` and its reason."
        ),
        request=InputSerializer,
        responses={
            201: OpenApiResponse(OutputSerializer, description="All items good; new activities stored."),
            200: OpenApiResponse(OutputSerializer, description="All items good; nothing new."),
            207: OpenApiResponse(
                OutputSerializer, description="Some items refused (listed in errors); the rest read."
            ),
            400: OpenApiResponse(
                OutputSerializer, description="Nothing read: see errors, or detail for a batch-level problem."
            ),
            403: OpenApiResponse(
                OutputSerializer,
                description="Every item is a colleague's, or the API key lacks the capture scope.",
            ),
        },
        examples=[
            OpenApiExample(
                "A call",
                request_only=True,
                value={
                    "activities": [
                        {
                            "kind": "call",
                            "source_id": "dialer-88121",
                            "occurred_at": "2026-03-22T15:00:00+01:00",
                            "subject": "Discovery call",
                            "duration_minutes": 25,
                            "participants": [
                                {"email": "dana.rivera@lumen-analytics.com", "role": "from"},
                                {"email": "ana.ruiz@acme.com", "name": "Ana Ruiz", "role": "to"},
                            ],
                        }
                    ]
                },
            ),
            OpenApiExample(
                "Mixed result",
                response_only=True,
                status_codes=["207"],
                value={
                    "created": 1,
                    "duplicates": 0,
                    "excluded": 0,
                    "errors": [
                        {
                            "index": 1,
                            "field": "participants[0].email",
                            "reason": "not a valid email address: 'ana@'",
                        }
                    ],
                    "results": [
                        {
                            "index": 0,
                            "status": "created",
                            "source_id": "dialer-88121",
                            "activity_id": 412,
                            "reason": "",
                        },
                        {
                            "index": 1,
                            "status": "error",
                            "source_id": "dialer-88122",
                            "activity_id": None,
                            "reason": "participants[0].email: not a valid email address: 'ana@'",
                        },
                    ],
                },
            ),
        ],
    )
    def post(self, request):
        items = request.data.get("activities") if isinstance(request.data, dict) else request.data
        if not isinstance(items, list):
            return self.batch_problem(
                'Send a JSON object {"activities": [...]} holding a list of activities (or a bare JSON array).'
            )
        if not items:
            return self.batch_problem("The batch is empty: send at least one activity.")
        if len(items) > MAX_BATCH:
            requests_needed = -(-len(items) // MAX_BATCH)
            return self.batch_problem(
                f"A batch holds at most {MAX_BATCH:,} activities and this one has {len(items):,}. "
                f"Split it into {requests_needed} requests of {MAX_BATCH:,} or fewer; re-sending an item is safe, "
                "it is stored once."
            )
        if isinstance(request.user, ApiKeyClient) and not token_has_scope(request.auth, CAPTURE_SCOPE):
            return self.batch_problem(
                f"This API key has no {CAPTURE_SCOPE!r} scope: ask an admin for a key with it.",
                code=status.HTTP_403_FORBIDDEN,
            )
        session = IngestSession(capturer=self.capturer(request))
        errors = []
        results: dict[int, dict] = {}
        for index, item in enumerate(items):
            try:
                parsed = parse_api_item(item, index)
            except InvalidActivity as invalid:
                field, reason = split_reason(invalid.error.reason)
                errors.append({"index": index, "field": field, "reason": reason})
                source_id = item.get("source_id") if isinstance(item, dict) else ""
                results[index] = {
                    "index": index,
                    "status": Status.ERROR,
                    "source_id": source_id if isinstance(source_id, str) else "",
                    "activity_id": None,
                    "reason": invalid.error.reason,
                }
                continue
            session.add(parsed, source=Activity.Source.API, key=index)
        report = session.finish()
        for outcome in report.outcomes:
            if outcome.status in (Status.ERROR, Status.FORBIDDEN):
                field, reason = split_reason(outcome.reason)
                errors.append({"index": outcome.key, "field": field, "reason": reason})
            results[outcome.key] = {
                "index": outcome.key,
                "status": outcome.status,
                "source_id": outcome.source_id,
                "activity_id": outcome.activity_id,
                "reason": outcome.reason,
            }
        errors.sort(key=lambda error: error["index"])
        body = {
            "created": report.created,
            "duplicates": report.duplicates,
            "excluded": report.excluded,
            "processing": "deferred" if report.deferred else "started" if report.created else "none",
            "errors": errors,
            "results": [results[i] for i in sorted(results)],
        }
        if not errors:
            code = status.HTTP_201_CREATED if report.created else status.HTTP_200_OK
        elif report.read:
            code = status.HTTP_207_MULTI_STATUS
        elif report.forbidden == len(errors):
            code = status.HTTP_403_FORBIDDEN
        else:
            code = status.HTTP_400_BAD_REQUEST
        return Response(self.OutputSerializer(body).data, status=code)

    @staticmethod
    def capturer(request):
        """Who may capture only their own activities: a person who is not an admin. An admin, or an
        API key with the capture scope, captures for anyone (None)."""
        user = request.user
        if isinstance(user, ApiKeyClient) or user.is_admin:
            return None
        return user

    def batch_problem(self, message: str, *, code: int = status.HTTP_400_BAD_REQUEST) -> Response:
        body = {
            "created": 0,
            "duplicates": 0,
            "excluded": 0,
            "processing": "none",
            "errors": [],
            "results": [],
            "detail": message,
        }
        return Response(self.OutputSerializer(body).data, status=code)


@extend_schema_view(
    post=extend_schema(
        operation_id="activities_capture_in_app",
        summary="Capture a batch of emails, meetings and calls (the same endpoint as POST /api/v1/activities)",
    )
)
class ActivityCaptureInAppApi(ActivityCaptureApi):
    """The capture endpoint under the activities app's own URLs; /api/v1/activities is its public address."""
