"""Live capture's use cases: sync a mailbox or a calendar, test one, manage a rep's connections.

- ``mailbox``: IMAP sign-in (password or XOAUTH2), folders, UIDVALIDITY + last-UID cursors, IDLE.
- ``calendar``: CalDAV (sync-token, ctag/ETag) and ICS feeds (ETag/Last-Modified), meeting updates.
- ``state``: one run at a time, success, failure with backoff, OAuth 2.0 token renewal.
- ``errors``: what a server or library said, in plain words.
- ``manage``: add, change, pause, remove; which connections are due.
"""

from .calendar import CalendarRunReport, calendar_sync, calendar_test
from .errors import ConnectionFailure
from .mailbox import MailboxRunReport, mailbox_sync, mailbox_test, mailbox_wait_for_mail

__all__ = [
    "CalendarRunReport",
    "ConnectionFailure",
    "MailboxRunReport",
    "calendar_sync",
    "calendar_test",
    "mailbox_sync",
    "mailbox_test",
    "mailbox_wait_for_mail",
]
