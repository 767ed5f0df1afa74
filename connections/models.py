"""A rep's connected mailboxes and calendars, and where each one's sync has got to.

Captured activities do not point at the connection that brought them: deleting a connection stops
its sync and keeps what it captured (removing activities is the Engagement Log's job).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from .secrets import EncryptedTextField


class Connection(models.Model):
    """What a mailbox and a calendar connection share: owner, state, errors, counts, back-fill."""

    class Auth(models.TextChoices):
        PASSWORD = "password", "Password"
        OAUTH2 = "oauth2", "OAuth 2.0 token"

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        help_text="The rep whose mail or meetings these are: captured activities belong to them.",
    )
    name = models.CharField(max_length=120, blank=True, help_text="A label for the Connections page.")
    username = models.CharField(max_length=254, blank=True)
    auth = models.CharField(max_length=10, choices=Auth.choices, default=Auth.PASSWORD)
    password = EncryptedTextField(blank=True)
    access_token = EncryptedTextField(blank=True)
    refresh_token = EncryptedTextField(blank=True)
    token_url = models.URLField(
        blank=True, help_text="OAuth 2.0 token endpoint used to renew an expired access token."
    )
    client_id = models.CharField(max_length=254, blank=True)
    client_secret = EncryptedTextField(blank=True)
    token_expires_at = models.DateTimeField(null=True, blank=True)
    is_paused = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    # Where the sync has got to; the cursors themselves live on the folders and calendars.
    last_sync_at = models.DateTimeField(null=True, blank=True)
    last_success_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    last_error_at = models.DateTimeField(null=True, blank=True)
    failures = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    sync_started_at = models.DateTimeField(null=True, blank=True)
    captured = models.PositiveIntegerField(default=0)
    unreadable = models.PositiveIntegerField(default=0)
    last_unreadable = models.TextField(blank=True)
    backfill_total = models.PositiveIntegerField(default=0)
    backfill_done = models.PositiveIntegerField(default=0)
    backfill_finished_at = models.DateTimeField(null=True, blank=True)

    SECRET_FIELDS = ("password", "access_token", "refresh_token", "client_secret")

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.name or self.address

    @property
    def status(self) -> str:
        if self.is_paused:
            return "paused"
        if self.last_error:
            return "error"
        if self.last_success_at is None:
            return "waiting"
        if self.backfill_finished_at is None:
            return "backfilling"
        return "ok"

    @property
    def backfill_percent(self) -> int:
        if self.backfill_finished_at is not None:
            return 100
        if not self.backfill_total:
            return 0
        return min(99, int(100 * self.backfill_done / self.backfill_total))


class MailboxConnection(Connection):
    """An IMAP mailbox (Microsoft 365, Gmail, Fastmail, a company server)."""

    class Security(models.TextChoices):
        TLS = "tls", "TLS (port 993)"
        STARTTLS = "starttls", "STARTTLS (port 143)"
        NONE = "none", "None (local test servers only)"

    host = models.CharField(max_length=253)
    port = models.PositiveIntegerField(default=993)
    security = models.CharField(max_length=10, choices=Security.choices, default=Security.TLS)
    folders = models.JSONField(
        default=list,
        blank=True,
        help_text="Folders to read. Empty: INBOX and the folder the server flags as Sent.",
    )
    use_idle = models.BooleanField(
        default=False, help_text="Keep a connection open (IMAP IDLE) so new mail is captured within seconds."
    )

    kind = "imap"

    class Meta:
        ordering = ["owner_id", "id"]

    @property
    def address(self) -> str:
        return f"{self.username}@{self.host}" if self.username else self.host


class MailboxFolder(models.Model):
    """One folder's cursor: the UIDVALIDITY it was read under and the last UID stored."""

    connection = models.ForeignKey(MailboxConnection, on_delete=models.CASCADE, related_name="folder_cursors")
    name = models.CharField(max_length=500)
    uidvalidity = models.BigIntegerField(null=True, blank=True)
    last_uid = models.BigIntegerField(default=0)
    backfill_total = models.PositiveIntegerField(default=0)
    backfill_done = models.PositiveIntegerField(default=0)
    backfilled = models.BooleanField(default=False)
    captured = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["connection_id", "name"]
        constraints = [
            models.UniqueConstraint(fields=["connection", "name"], name="mailbox_folder_once_per_connection")
        ]

    def __str__(self) -> str:
        return self.name


class CalendarConnection(Connection):
    """A CalDAV account (Google, iCloud, Fastmail, Nextcloud) or a published ICS feed (Outlook)."""

    class Kind(models.TextChoices):
        CALDAV = "caldav", "CalDAV"
        ICS = "ics", "ICS feed"

    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.CALDAV)
    url = models.URLField(max_length=1000)
    calendars = models.JSONField(
        default=list, blank=True, help_text="Names of the calendars to read. Empty: every calendar."
    )

    class Meta:
        ordering = ["owner_id", "id"]

    @property
    def address(self) -> str:
        return self.url


class CalendarCursor(models.Model):
    """One calendar's cursor: its RFC 6578 sync-token, its ctag, or an ICS feed's ETag/Last-Modified."""

    connection = models.ForeignKey(CalendarConnection, on_delete=models.CASCADE, related_name="cursors")
    url = models.URLField(max_length=1000)
    name = models.CharField(max_length=255, blank=True)
    sync_token = models.TextField(blank=True)
    ctag = models.TextField(blank=True)
    etag = models.TextField(blank=True)
    last_modified = models.CharField(max_length=64, blank=True)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["connection_id", "name"]
        constraints = [
            models.UniqueConstraint(fields=["connection", "url"], name="calendar_cursor_once_per_connection")
        ]

    def __str__(self) -> str:
        return self.name or self.url


class CalendarItem(models.Model):
    """One event resource last seen on a calendar (href and ETag), so a change or a removal is noticed."""

    cursor = models.ForeignKey(CalendarCursor, on_delete=models.CASCADE, related_name="items")
    href = models.CharField(max_length=1000)
    etag = models.CharField(max_length=255, blank=True)
    uids = models.TextField(blank=True, help_text="The event UIDs it held, one a line.")
    # A recurring series' text, expanded again on every run as new occurrences come due.
    data = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["cursor", "href"], name="calendar_item_once_per_cursor")
        ]

    def __str__(self) -> str:
        return self.href
