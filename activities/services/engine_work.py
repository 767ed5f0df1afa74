"""What capture owes the engines, kept in the database until it is done (every hand-off of
``activities/handoff.py``: after capture, after a removal from sync, summaries an activity leaves,
a re-match after a CRM change).

Issue 15: "what capture owes the engines is recorded in the database in the same transaction as
the activities ... and a periodic sweeper enqueues anything not done after N minutes, so a broker
outage delays work and never loses it."

- ``engine_work_record`` writes an ``EngineWork`` row inside the capture's transaction and sends
  it once that transaction commits. If the broker is down the row stays unsent, and the capture
  is told processing is deferred.
- The last task of the hand-off marks the row done (``engine_work_done``); ``activities/handoff.py``
  says which tasks a row stands for.
- ``engine_work_sweep`` (Celery beat, every minute) sends every row never sent, and every row sent
  more than ``BACKSTORY_ENGINE_WORK_RETRY_MINUTES`` ago and still not done (a broker restarted
  without its queue, a worker lost beyond redelivery). The engines are idempotent, so a row sent
  twice is processed twice with the same result.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterable

from django.conf import settings
from django.db import transaction
from django.db.models import Q

from backstory import clock
from backstory.celery import PUBLISH_RETRY_FAST

from ..models import EngineWork

logger = logging.getLogger(__name__)


def engine_work_record(
    *,
    task_name: str,
    activity_ids: list[int],
    account_ids: Iterable[int] = (),
    opportunity_ids: Iterable[int] = (),
    payload: dict | None = None,
    on_sent: Callable[[bool], None] | None = None,
) -> EngineWork:
    """Record the work (call inside the transaction that makes the change); it is sent after commit.

    ``task_name`` is one of the hand-offs of ``activities/handoff.py``; ``on_sent(True|False)``
    hears whether the broker took it.
    """
    work = EngineWork.objects.create(
        task_name=task_name,
        activity_ids=list(activity_ids),
        account_ids=list(account_ids),
        opportunity_ids=list(opportunity_ids),
        payload=payload or {},
        created_at=clock.now(),
    )

    def send() -> None:
        sent = engine_work_send(work=work)
        if on_sent is not None:
            on_sent(sent)

    transaction.on_commit(send)
    return work


def engine_work_send(*, work: EngineWork) -> bool:
    """Hand the work to its task through the broker; False (and the error kept) when that fails."""
    from ..handoff import engine_work_signature  # the hand-off knows which tasks a row stands for

    work.attempts += 1
    try:
        engine_work_signature(work).apply_async(retry=True, retry_policy=PUBLISH_RETRY_FAST)
    except Exception as error:  # the broker's errors depend on the transport; eager runs raise the engine's
        logger.warning("Engine work %s not sent, the sweeper will send it again: %s", work.pk, error)
        work.last_error = f"{type(error).__name__}: {error}"[:300]
        EngineWork.objects.filter(pk=work.pk).update(attempts=work.attempts, last_error=work.last_error)
        return False
    work.sent_at = clock.now()
    EngineWork.objects.filter(pk=work.pk).update(attempts=work.attempts, sent_at=work.sent_at, last_error="")
    return True


def engine_work_done(*, work_id: int | None) -> None:
    """The task ran: nothing is owed any more."""
    if work_id is not None:
        EngineWork.objects.filter(pk=work_id, done_at__isnull=True).update(done_at=clock.now())


def engine_work_sweep(*, limit: int = 500) -> dict:
    """Send again the work not done: never sent, or sent more than N minutes ago. Returns counts."""
    stale_before = clock.now() - dt.timedelta(minutes=settings.BACKSTORY_ENGINE_WORK_RETRY_MINUTES)
    owed = EngineWork.objects.filter(done_at__isnull=True).filter(
        Q(sent_at__isnull=True) | Q(sent_at__lt=stale_before)
    )[:limit]
    sent = failed = 0
    for work in owed:
        if engine_work_send(work=work):
            sent += 1
        else:
            failed += 1
            break  # the broker is still down: the next sweep tries again
    return {"sent": sent, "failed": failed, "open": EngineWork.objects.filter(done_at__isnull=True).count()}
