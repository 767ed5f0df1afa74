"""Per-record, per-day activity counters (rollups) that metrics summed over days read instead of
the raw activities.

One row per account, opportunity or user and day (in the project time zone) with at least one
counted activity, and one per month (``is_month``) holding the sum of its days, so that a quarter or
a year reads a few month rows per record and the days at its edges. ``rollups.services`` keeps them equal to what the raw rows say, in the same
transaction as every capture, re-match, Edit Match and removal from sync; ``manage.py
rollups_rebuild`` recomputes them all from the raw rows. ``UserAccount`` holds, per user and
account, how many activities they share (all time), kept the same way.
"""

from django.conf import settings
from django.db import models


class DayCounters(models.Model):
    day = models.DateField(help_text="The day; for a month's total, the month's first day.")
    is_month = models.BooleanField(default=False, help_text="The sum of the month's day rows.")
    activities = models.PositiveIntegerField(default=0)
    emails_sent = models.PositiveIntegerField(default=0)
    emails_received = models.PositiveIntegerField(default=0)
    # Sent emails of this day that got an answer (any later day): the response rate's numerator.
    emails_replied = models.PositiveIntegerField(default=0)
    meetings = models.PositiveIntegerField(default=0, help_text="Not cancelled.")
    meeting_minutes = models.PositiveIntegerField(default=0)
    calls = models.PositiveIntegerField(default=0, help_text="Calls made (not inbound).")
    call_minutes = models.PositiveIntegerField(default=0)
    # Emails and calls with someone outside the company, and meetings not cancelled: on a day
    # before today these took place, so the latest such day is the last meaningful activity.
    meaningful = models.PositiveIntegerField(
        default=0, help_text="Emails and calls not internal, meetings not cancelled."
    )

    class Meta:
        abstract = True


class AccountDay(DayCounters):
    """The activities matched to an account on one day."""

    # No index of its own: the unique (account, is_month, day) serves look-ups by account, and a
    # look-up of one window then reads only its rows (an index on account alone read all of them).
    account = models.ForeignKey(
        "accounts.Account", on_delete=models.CASCADE, related_name="daily_rollups", db_index=False
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["account", "is_month", "day"], name="account_day_once")
        ]
        # A grouped pass over every account reads one window's rows (a year's months, a month's days).
        indexes = [models.Index(fields=["is_month", "day"], name="account_day_window_idx")]

    def __str__(self) -> str:
        return f"account {self.account_id}, {'month of ' if self.is_month else ''}{self.day}"


class OpportunityDay(DayCounters):
    """The activities matched to an opportunity on one day."""

    opportunity = models.ForeignKey(
        "opportunities.Opportunity", on_delete=models.CASCADE, related_name="daily_rollups", db_index=False
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["opportunity", "is_month", "day"], name="opportunity_day_once")
        ]
        indexes = [models.Index(fields=["is_month", "day"], name="opportunity_day_window_idx")]

    def __str__(self) -> str:
        return f"opportunity {self.opportunity_id}, {'month of ' if self.is_month else ''}{self.day}"


class UserAccount(models.Model):
    """The in-sync activities matched to an account that a user took part in (any role), over all
    time: a user's accounts engaged is their number of rows, read without a distinct count over
    every participation."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="account_rollups"
    )
    account = models.ForeignKey("accounts.Account", on_delete=models.CASCADE, related_name="user_rollups")
    activities = models.PositiveIntegerField(
        default=0, help_text="Distinct activities; never 0 (the row goes)."
    )

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "account"], name="user_account_once")]

    def __str__(self) -> str:
        return f"user {self.user_id}, account {self.account_id}: {self.activities}"


class UserAccountMonth(models.Model):
    """``UserAccount`` per month (in the project time zone): a user's accounts engaged in a window
    of whole months is a distinct count over a few rows per account."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="account_month_rollups"
    )
    account = models.ForeignKey(
        "accounts.Account", on_delete=models.CASCADE, related_name="user_month_rollups"
    )
    month = models.DateField(help_text="The month's first day.")
    activities = models.PositiveIntegerField(
        default=0, help_text="Distinct activities; never 0 (the row goes)."
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "account", "month"], name="user_account_month_once")
        ]

    def __str__(self) -> str:
        return f"user {self.user_id}, account {self.account_id}, {self.month}: {self.activities}"


class UserDay(models.Model):
    """The activities a user took part in on one day, by their role on each."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="daily_rollups", db_index=False
    )
    day = models.DateField(help_text="The day; for a month's total, the month's first day.")
    is_month = models.BooleanField(default=False, help_text="The sum of the month's day rows.")
    emails_sent = models.PositiveIntegerField(default=0, help_text="Sent by the user (from).")
    emails_received = models.PositiveIntegerField(default=0, help_text="To, cc or bcc the user.")
    emails_replied = models.PositiveIntegerField(default=0)
    meetings_booked = models.PositiveIntegerField(default=0, help_text="Organized, not cancelled.")
    calls_made = models.PositiveIntegerField(default=0)
    # External invitations to meetings the user organized (not cancelled), and how many were accepted.
    invitations = models.PositiveIntegerField(default=0)
    invitations_accepted = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "is_month", "day"], name="user_day_once")]
        indexes = [models.Index(fields=["is_month", "day"], name="user_day_window_idx")]

    def __str__(self) -> str:
        return f"user {self.user_id}, {'month of ' if self.is_month else ''}{self.day}"


class PendingActivity(models.Model):
    """A captured activity not yet added to the rollups: capture records it in its own transaction and
    the ``rollups.apply_pending`` task adds it within seconds (``rollups.services``). Until then every
    recount of the rollups leaves it out, so it is counted exactly once, by that task."""

    activity = models.OneToOneField(
        "activities.Activity", on_delete=models.CASCADE, primary_key=True, related_name="+"
    )

    class Meta:
        verbose_name_plural = "pending activities"

    def __str__(self) -> str:
        return f"activity {self.activity_id}, not yet in the rollups"
