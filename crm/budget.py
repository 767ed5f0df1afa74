"""Salesforce's API budget: whether Backstory may call Salesforce now, for a pull or a push.

One home for every reason to hold back, so the drain and the pull ask one question:

- Salesforce refused a call with REQUEST_LIMIT_EXCEEDED: the org's limit is spent, everything
  stops for SALESFORCE_PAUSE_SECONDS (`salesforce_pause_for_limit`; the pause is kept on the
  outbox state row, which the admin's Resume action clears);
- Backstory's own share: its calls in the rolling 24 hours (counted per call by
  SalesforceConnection, `api_calls_record`) against `share_percent` of the org's DailyApiRequests
  Max, which an admin sets on "Salesforce API budget" (SALESFORCE_API_SHARE_PERCENT, 20 %, at first);
- the org's safety floor: when the org's Remaining falls below SALESFORCE_API_ORG_FLOOR_PERCENT of
  Max (other integrations used it), Backstory stops too, so it is never the one that runs it out.

Priority when the budget is tight: pushes first. Pulls may use the share less
SALESFORCE_API_PUSH_RESERVE_PERCENT of it; the rest is kept for pushes, because a contact or
contact role Backstory created exists nowhere else until it is pushed, while a pull that waits
loses nothing (it continues from its checkpoint and catches up on every change).

The org's figures come from /limits (read at most every SALESFORCE_LIMITS_EVERY_SECONDS, with the
connection the run opened) and, for free, from the Sforce-Limit-Info header of the run's last
response. When /limits cannot be read (no "View Setup and Configuration" permission, an error, a
timeout), the sync goes on: the last figures known are used, the header's after the next call,
and while none is known only Salesforce's own REQUEST_LIMIT_EXCEEDED holds Backstory back.

Held work is never an error and never lost: a held drain leaves its entries pending, a held pull
keeps its checkpoints, and both go on by themselves when the window frees calls or an admin
raises the share (the beat runs them every minute and every SALESFORCE_PULL_EVERY_SECONDS).
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from simple_salesforce.exceptions import SalesforceError

from backstory import clock

from .connection import (
    SalesforceBudgetSpent,
    SalesforceConnection,
    SalesforceLimitReached,
    SalesforceSessionRefused,
    SalesforceUnreachable,
    error_details,
)
from .models import ApiBudget
from .outbox import outbox_drain_after_commit
from .selectors import (
    DAY,
    api_budget_get,
    api_calls_used,
    api_calls_window,
    outbox_paused_until,
    outbox_state_get,
)
from .services import api_budget_update, outbox_pause

logger = logging.getLogger(__name__)

PUSH, PULL = "push", "pull"
LIMITS = "/limits"
HEADER = "the last response"


@dataclass
class BudgetStatus:
    """Where Backstory stands against the org's daily API limit at `now`."""

    now: dt.datetime
    share_percent: int
    used: int  # Backstory's own calls in the last 24 hours
    org_max: int | None
    org_remaining: int | None
    org_read_at: dt.datetime | None
    org_source: str
    limits_error: str
    paused_until: dt.datetime | None  # Salesforce's REQUEST_LIMIT_EXCEEDED pause
    pause_reason: str

    @property
    def allowance(self) -> int | None:
        """Backstory's calls per 24 hours: its share of the org's Max (None while Max is unknown)."""
        if self.org_max is None:
            return None
        return self.org_max * self.share_percent // 100

    @property
    def pull_allowance(self) -> int | None:
        """What pulls may use: the allowance less the part kept for pushes."""
        if self.allowance is None:
            return None
        return self.allowance * (100 - settings.SALESFORCE_API_PUSH_RESERVE_PERCENT) // 100

    @property
    def floor(self) -> int | None:
        """The org's Remaining below which Backstory stops for the other integrations."""
        if self.org_max is None:
            return None
        return self.org_max * settings.SALESFORCE_API_ORG_FLOOR_PERCENT // 100

    @property
    def org_figures_fresh(self) -> bool:
        """The org's Remaining is recent enough to act on (others' use moves it all the time)."""
        return (
            self.org_remaining is not None
            and self.org_read_at is not None
            and self.now - self.org_read_at <= dt.timedelta(seconds=settings.SALESFORCE_LIMITS_EVERY_SECONDS)
        )

    @property
    def used_percent(self) -> int:
        """Backstory's use as a percentage of its allowance (for the page's bar)."""
        if not self.allowance:
            return 0
        return min(100, self.used * 100 // self.allowance)

    def allowance_for(self, purpose: str) -> int | None:
        return self.pull_allowance if purpose == PULL else self.allowance

    def headroom(self, purpose: str) -> int | None:
        """How many calls a `purpose` run may make now (None: no figure limits it)."""
        room: list[int] = []
        allowance = self.allowance_for(purpose)
        if allowance is not None:
            room.append(allowance - self.used)
        if self.org_figures_fresh and self.floor is not None:
            room.append(self.org_remaining - self.floor)
        return max(min(room), 0) if room else None

    def hold(self, purpose: str) -> str:
        """Why a `purpose` run must wait now, in words ("" when it may run)."""
        if self.paused_until:
            return (
                f"paused until {self.paused_until:%Y-%m-%d %H:%M:%S} UTC: Salesforce refused calls "
                "for the org's API limit (REQUEST_LIMIT_EXCEEDED)"
            )
        allowance = self.allowance_for(purpose)
        if allowance is not None and self.used >= allowance:
            if purpose == PULL and self.allowance is not None and self.used < self.allowance:
                return (
                    f"Backstory used {self.used:,} of its {self.allowance:,} API calls in the last 24 hours; "
                    f"the last {self.allowance - allowance:,} are kept for pushes"
                )
            return (
                f"Backstory used {self.used:,} of its {allowance:,} API calls in the last 24 hours "
                f"({self.share_percent} % of the org's {self.org_max:,})"
            )
        if self.org_figures_fresh and self.floor is not None and self.org_remaining < self.floor:
            return (
                f"the org has {self.org_remaining:,} API calls left of {self.org_max:,}, under the "
                f"{settings.SALESFORCE_API_ORG_FLOOR_PERCENT} % kept for its other integrations"
            )
        return ""

    def resumes_at(self, purpose: str) -> dt.datetime | None:
        """When a held `purpose` run may go again if nothing else changes (None: not held, or it
        depends on the other integrations' use, checked again every SALESFORCE_LIMITS_EVERY_SECONDS)."""
        if self.paused_until:
            return self.paused_until
        allowance = self.allowance_for(purpose)
        if allowance is None or self.used < allowance:
            return None
        # The oldest calls leave the rolling window first: wait until enough of them have.
        excess, freed = self.used - allowance + 1, 0
        for minute, calls in api_calls_window(now=self.now).values_list("minute", "calls"):
            freed += calls
            if freed >= excess:
                return minute + DAY
        return self.now + DAY

    @property
    def push_hold(self) -> str:
        return self.hold(PUSH)

    @property
    def pull_hold(self) -> str:
        return self.hold(PULL)

    @property
    def push_resumes_at(self) -> dt.datetime | None:
        return self.resumes_at(PUSH)

    @property
    def pull_resumes_at(self) -> dt.datetime | None:
        return self.resumes_at(PULL)


def budget_status(*, now: dt.datetime | None = None) -> BudgetStatus:
    """Backstory's use, its allowance, the org's figures and any pause, as of `now`."""
    now = now or clock.now()
    budget = api_budget_get()
    paused_until = outbox_paused_until(now=now)
    return BudgetStatus(
        now=now,
        share_percent=budget.share_percent,
        used=api_calls_used(now=now),
        org_max=budget.org_max,
        org_remaining=budget.org_remaining,
        org_read_at=budget.org_read_at,
        org_source=budget.org_source,
        limits_error=budget.limits_error,
        paused_until=paused_until,
        pause_reason=outbox_state_get().pause_reason if paused_until else "",
    )


def budget_hold(purpose: str) -> str:
    """Why a `purpose` run ("push" or "pull") must wait, from what is known without calling
    Salesforce ("" when it may start). A hold is remembered for the sync page."""
    # "keep Backstory under an admin-set share (default 20 %), pause and resume pulls and pushes under it"
    reason = budget_status().hold(purpose)
    if reason:
        remember_hold(purpose, reason)
    return reason


def budget_open(purpose: str, connection: SalesforceConnection) -> str:
    """Start a `purpose` run on `connection`: read /limits when the figures are old, then either say
    why the run must wait, or cap the connection at the calls the run may make ("" when it may run).
    The /limits read never stops the run: a failure is recorded and the last figures are used."""
    budget_read_org_limits(connection)
    status = budget_status()
    reason = status.hold(purpose)
    if reason:
        remember_hold(purpose, reason)
        return reason
    connection.budget_calls(status.headroom(purpose))
    return ""


def budget_read_org_limits(connection: SalesforceConnection, *, force: bool = False) -> None:
    """Read the org's DailyApiRequests from /limits, at most every SALESFORCE_LIMITS_EVERY_SECONDS
    (a failed read is not retried sooner either), and keep them on the API budget row."""
    now = clock.now()
    budget = api_budget_get()
    every = dt.timedelta(seconds=settings.SALESFORCE_LIMITS_EVERY_SECONDS)
    if not force and budget.limits_tried_at and now - budget.limits_tried_at < every:
        return
    try:
        body = connection.call(lambda sf: sf.limits())
        daily = body["DailyApiRequests"]
        org_max, remaining = int(daily["Max"]), int(daily["Remaining"])
    except SalesforceLimitReached as error:
        api_budget_update(limits_tried_at=now, limits_error=f"REQUEST_LIMIT_EXCEEDED: {error}")
        salesforce_pause_for_limit(str(error), during="reading /limits")
        return
    except SalesforceError as error:
        code, message = error_details(error)
        _limits_unread(now, f"{code}: {message}")
        return
    except (
        SalesforceUnreachable,
        SalesforceSessionRefused,
        SalesforceBudgetSpent,
        KeyError,
        TypeError,
        ValueError,
    ) as error:
        # The run's own calls meet the same trouble and handle it as they always do.
        _limits_unread(now, f"{type(error).__name__}: {error}")
        return
    api_budget_update(
        org_max=org_max,
        org_remaining=remaining,
        org_read_at=now,
        org_source=LIMITS,
        limits_tried_at=now,
        limits_error="",
    )


def _limits_unread(now: dt.datetime, message: str) -> None:
    logger.warning(
        "Salesforce /limits could not be read (%s); the sync goes on with the last figures", message
    )
    api_budget_update(limits_tried_at=now, limits_error=message[:2000])


def budget_note_response_figures(connection: SalesforceConnection) -> None:
    """Keep the org's figures the run's last response carried (Sforce-Limit-Info: api-usage=used/max):
    newer than the /limits read at the start of the run, and free."""
    usage = getattr(connection.sf, "api_usage", {}).get("api-usage")
    if usage is None or not connection.calls:
        return
    api_budget_update(
        org_max=usage.total,
        org_remaining=max(usage.total - usage.used, 0),
        org_read_at=clock.now(),
        org_source=HEADER,
    )


class ShareInvalid(ValueError):
    """A share an admin typed that is not a whole percentage from 1 to 100."""


@transaction.atomic
def budget_share_set(share_percent: object) -> ApiBudget:
    """Set Backstory's share of the org's daily API requests (a whole percentage, 1 to 100).

    Raising it resumes pushes held for the budget at once (a drain is queued); pulls resume at
    the next scheduled pull.
    """
    # "keep Backstory under an admin-set share (default 20 %)"
    try:
        value = int(str(share_percent).strip().rstrip("%").strip())
    except ValueError:
        raise ShareInvalid(
            f"The share must be a whole percentage from 1 to 100, e.g. 20 (you entered {share_percent!r})."
        ) from None
    if not 1 <= value <= 100:
        raise ShareInvalid(
            f"The share must be from 1 to 100 percent of the org's daily API requests (not {value})."
        )
    budget = api_budget_update(share_percent=value)
    outbox_drain_after_commit()
    return budget


def budget_clear_hold(purpose: str) -> None:
    """A `purpose` run went ahead: the last hold of that kind is over."""
    budget = api_budget_get()
    if budget.held_reason.startswith(f"{purpose.capitalize()} held"):
        api_budget_update(held_at=None, held_reason="")


def salesforce_pause_for_limit(message: str, *, during: str) -> dt.datetime:
    """Salesforce refused a call with REQUEST_LIMIT_EXCEEDED: stop every pull and push for
    SALESFORCE_PAUSE_SECONDS. Returns when the pause ends."""
    until = clock.now() + dt.timedelta(seconds=settings.SALESFORCE_PAUSE_SECONDS)
    outbox_pause(until=until, reason=f"REQUEST_LIMIT_EXCEEDED {during}: {message}")
    return until


def remember_hold(purpose: str, reason: str) -> None:
    """Note that a `purpose` run was held back and why (shown on the sync page)."""
    api_budget_update(held_at=clock.now(), held_reason=f"{purpose.capitalize()} held: {reason}"[:2000])
