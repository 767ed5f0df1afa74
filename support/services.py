"""Help center seeding, support hours, and support requests with their screenshots."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from celery import current_app
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.mail import EmailMessage
from django.db import transaction

from activities.models import Activity
from activities.selectors import activities_visible_to
from backstory import clock

from .help_articles import help_articles
from .models import HelpArticle, SupportAttachment, SupportReply, SupportRequest

logger = logging.getLogger(__name__)

# Seed (support): "Human support: Monday–Friday, 9:00 AM–5:00 PM (Pacific Time)".
SUPPORT_TIME_ZONE = ZoneInfo("America/Los_Angeles")
SUPPORT_OPENS = dt.time(9, 0)
SUPPORT_CLOSES = dt.time(17, 0)

# The assistant's task that posts a support reply into the chat it came from.
SUPPORT_REPLY_TO_CHAT = "assistant.support_reply_to_chat"

MAX_SCREENSHOTS = 5
MAX_SCREENSHOT_BYTES = 5 * 1024 * 1024
IMAGE_EXTENSIONS = {".png": "png", ".jpg": "jpeg", ".jpeg": "jpeg", ".gif": "gif", ".webp": "webp"}
IMAGE_TYPE_NAMES = {"png": "PNG", "jpeg": "JPEG", "gif": "GIF", "webp": "WebP"}


# --- help center ---------------------------------------------------------------------------------
def help_center_seed(*, update: bool = False, article_model=HelpArticle) -> tuple[int, int]:
    """Load the shipped articles (Markdown files under support/articles/) by slug; returns (created, updated). Idempotent: an existing article
    is left as an admin edited it unless ``update`` is true. ``article_model`` lets a data migration
    pass its historical model."""
    created = updated = 0
    for data in help_articles():
        fields = {
            "title": data["title"],
            "topic": data["topic"],
            "summary": data["summary"],
            "body": data["body"],
            "keywords": data["keywords"],
            "is_faq": data["is_faq"],
            "position": data["position"],
        }
        article = article_model.objects.filter(slug=data["slug"]).first()
        if article is None:
            article_model.objects.create(slug=data["slug"], **fields)
            created += 1
        elif update and any(getattr(article, name) != value for name, value in fields.items()):
            for name, value in fields.items():
                setattr(article, name, value)
            article.save()
            updated += 1
    return created, updated


# --- support hours -------------------------------------------------------------------------------
@dataclass(frozen=True)
class SupportHours:
    is_open: bool
    message: str
    opens_at: dt.datetime | None


def _format_time(value: dt.time) -> str:
    return value.strftime("%I:%M %p").lstrip("0")


def support_hours_status(*, now: dt.datetime | None = None) -> SupportHours:
    """Whether human support is open at ``now`` (default: the clock), and when it opens next.

    "Support is open now until 5:00 PM PT" or "Support opens Monday at 9:00 AM PT"."""
    local = (now or clock.now()).astimezone(SUPPORT_TIME_ZONE)
    is_workday = local.weekday() < 5
    if is_workday and SUPPORT_OPENS <= local.time() < SUPPORT_CLOSES:
        return SupportHours(True, f"Support is open now, until {_format_time(SUPPORT_CLOSES)} PT.", None)
    day = local.date() if is_workday and local.time() < SUPPORT_OPENS else local.date() + dt.timedelta(days=1)
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    opens_at = dt.datetime.combine(day, SUPPORT_OPENS, tzinfo=SUPPORT_TIME_ZONE)
    if day == local.date():
        when = "today"
    elif day == local.date() + dt.timedelta(days=1):
        when = "tomorrow"
    else:
        when = day.strftime("%A")
    return SupportHours(False, f"Support opens {when} at {_format_time(SUPPORT_OPENS)} PT.", opens_at)


# --- support requests ----------------------------------------------------------------------------
def sniff_image_type(head: bytes) -> str | None:
    """The image type the first bytes of a file show (png, jpeg, gif, webp), or None."""
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "gif"
    if len(head) >= 12 and head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    return None


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"


def screenshot_problems(*, files: list[UploadedFile]) -> list[str]:
    """Why these screenshots cannot be attached, one message per problem naming the file and the limit;
    empty when they are fine. The type comes from the file's first bytes, not only its name."""
    problems = []
    if len(files) > MAX_SCREENSHOTS:
        problems.append(
            f"You attached {len(files)} files; the limit is {MAX_SCREENSHOTS} screenshots per request."
        )
    for upload in files:
        name = upload.name or "unnamed file"
        extension = "." + name.rsplit(".", 1)[-1].lower() if "." in name else ""
        upload.seek(0)
        head = upload.read(16)
        upload.seek(0)
        kind = sniff_image_type(head)
        if kind is None:
            problems.append(f"{name} is not a PNG, JPEG, GIF or WebP image; only those can be attached.")
        elif extension not in IMAGE_EXTENSIONS:
            problems.append(
                f"{name} is named like a {extension or 'file without an extension'}; "
                "name it .png, .jpg, .gif or .webp to attach it."
            )
        if upload.size > MAX_SCREENSHOT_BYTES:
            problems.append(f"{name} is {_megabytes(upload.size)}; the limit is 5 MB per screenshot.")
    return problems


def activity_for_support_request(*, user, value: str) -> Activity | None:
    """The activity a user names by its ID on a support request: blank, or an activity they can see."""
    value = (value or "").strip()
    if not value:
        return None
    visible = activities_visible_to(user=user)
    activity = None
    if value.isdigit():
        activity = visible.filter(pk=int(value)).first()
    if activity is None:
        activity = visible.filter(crm_id=value).first()
    if activity is None:
        raise ValidationError(
            f"No activity with ID {value} is visible to you. Copy the ID from the Engagement Log, or leave it blank.",
            code="unknown_activity",
        )
    return activity


def support_reference(*, request: SupportRequest) -> str:
    """BST-<year>-<number>, the number the user quotes to support."""
    return f"BST-{request.created_at.year}-{request.pk:06d}"


@transaction.atomic
def support_request_create(
    *,
    user,
    description: str,
    steps_to_reproduce: str = "",
    workspace: str = "",
    activity: Activity | None = None,
    screenshots: list[UploadedFile] | None = None,
    page_url: str = "",
) -> SupportRequest:
    """Store a support request and its screenshots, give it a reference, and email support and the
    user once the transaction commits."""
    screenshots = screenshots or []
    problems = screenshot_problems(files=screenshots)
    if problems:
        raise ValidationError(problems)
    now = clock.now()
    request = SupportRequest.objects.create(
        user=user,
        description=description.strip(),
        steps_to_reproduce=steps_to_reproduce.strip(),
        workspace=workspace.strip(),
        activity=activity,
        page_url=page_url[:500],
        created_at=now,
        sent_during_support_hours=support_hours_status(now=now).is_open,
    )
    request.reference = support_reference(request=request)
    request.save(update_fields=["reference"])
    for upload in screenshots:
        upload.seek(0)
        kind = sniff_image_type(upload.read(16))
        upload.seek(0)
        SupportAttachment.objects.create(
            request=request,
            file=upload,
            original_name=upload.name[:255],
            image_type=kind or "",
            size=upload.size,
        )
    transaction.on_commit(lambda: support_request_notify(request_id=request.pk))
    return request


def _one_line(text: str) -> str:
    """Text safe in a mail header: a line break there is refused (header injection), so names
    and file names are joined onto one line."""
    return " ".join(text.split())


def support_request_notify(*, request_id: int) -> None:
    """Email the request (with its screenshots) to SUPPORT_EMAIL and a confirmation to the user."""
    request = SupportRequest.objects.select_related("user", "activity").get(pk=request_id)
    user = request.user
    sender = _one_line(user.get_full_name() or user.username)
    hours = support_hours_status(now=request.created_at)
    lines = [
        f"Reference: {request.reference}",
        f"From: {sender} <{user.email or 'no email'}>",
        f"Account or workspace: {request.workspace or '-'}",
        f"Activity ID: {request.activity_id or '-'}",
        f"Sent from: {request.page_url or '-'}",
        f"Received: {request.created_at:%Y-%m-%d %H:%M} UTC ({'during' if hours.is_open else 'outside'} support hours)",
        "",
        "Description:",
        request.description,
        "",
        "Steps to reproduce:",
        request.steps_to_reproduce or "-",
    ]
    attachments = list(request.attachments.all())
    if attachments:
        lines += ["", "Screenshots: " + ", ".join(a.original_name for a in attachments)]
    notification = EmailMessage(
        subject=f"[{request.reference}] Support request from {sender}",
        body="\n".join(lines),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[settings.SUPPORT_EMAIL],
        reply_to=[user.email] if user.email else None,
    )
    for attachment in attachments:
        with attachment.file.open("rb") as handle:
            notification.attach(
                _one_line(attachment.original_name), handle.read(), f"image/{attachment.image_type}"
            )
    notification.send()
    if user.email:
        EmailMessage(
            subject=f"We received your support request {request.reference}",
            body=(
                f"Hi {user.first_name or user.username},\n\n"
                f"Thanks for contacting Backstory support. Your reference number is {request.reference}; "
                "quote it in any follow-up.\n\n"
                f"Human support is available Monday to Friday, 9:00 AM to 5:00 PM Pacific Time. {hours.message}\n\n"
                f"What you sent:\n{request.description}\n\n"
                "The Backstory Assistant answers product questions from the help center at any hour."
            ),
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[user.email],
        ).send()


# --- in-app chat handed over to a person -------------------------------------------------------
# Seed (support): "In-App Chat ... Human support: Monday–Friday, 9:00 AM–5:00 PM (Pacific Time);
# Automated chat: Available 24/7."
@transaction.atomic
def support_request_from_chat(*, user, conversation, transcript: str, page_url: str = "") -> SupportRequest:
    """The chat becomes a support request the support team sees in the Support inbox; their replies
    go back into the chat. Outside support hours it waits for the next opening."""
    now = clock.now()
    record = conversation.record
    request = SupportRequest.objects.create(
        user=user,
        description=transcript.strip(),
        workspace=str(record) if record else "",
        page_url=page_url[:500],
        conversation=conversation,
        created_at=now,
        sent_during_support_hours=support_hours_status(now=now).is_open,
    )
    request.reference = support_reference(request=request)
    request.save(update_fields=["reference"])
    transaction.on_commit(lambda: support_request_notify(request_id=request.pk))
    return request


@transaction.atomic
def support_reply_send(*, request: SupportRequest, author, text: str) -> SupportReply:
    """A support person answers: the reply is stored, shown in the user's chat panel (when the
    request came from the chat), and emailed to the user once the transaction commits."""
    text = text.strip()
    if not text:
        raise ValidationError("Write a reply first.")
    now = clock.now()
    reply = SupportReply.objects.create(request=request, author=author, text=text, created_at=now)
    if request.conversation_id:
        # The assistant sits above support in the house: it posts the reply into the chat itself,
        # named by task so support never imports it.
        reply_to_chat = current_app.signature(SUPPORT_REPLY_TO_CHAT, kwargs={"reply_id": reply.pk})
        transaction.on_commit(reply_to_chat.apply_async)
    if request.status == SupportRequest.Status.NEW:
        request.status = SupportRequest.Status.IN_PROGRESS
        request.save(update_fields=["status"])
    transaction.on_commit(lambda: support_reply_notify(reply_id=reply.pk))
    return reply


def support_reply_notify(*, reply_id: int) -> None:
    """Email a support reply to the user who asked."""
    reply = SupportReply.objects.select_related("request__user", "author").get(pk=reply_id)
    user = reply.request.user
    if not user.email:
        logger.warning("Support reply %s not emailed: %s has no email address.", reply.pk, user.username)
        return
    where = " It is also in your Backstory Assistant chat." if reply.request.conversation_id else ""
    EmailMessage(
        subject=f"[{reply.request.reference}] Reply from Backstory Support",
        body=f"{reply.text}\n\n{reply.author.get_full_name() or reply.author.username}, Backstory Support.{where}",
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[user.email],
        reply_to=[settings.SUPPORT_EMAIL],
    ).send()
