"""The Celery app. With no CELERY_BROKER_URL, settings make every task run eagerly in process."""

import contextlib
import os
from collections.abc import Iterator

from celery import Celery
from kombu import pools as kombu_pools

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backstory.settings")

app = Celery("backstory")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

_BROKER_KEYS = ("broker_url", "result_backend", "task_always_eager")
_BROKER_ENVIRON = (
    "CELERY_BROKER_URL",
    "CELERY_BROKER_READ_URL",
    "CELERY_BROKER_WRITE_URL",
    "CELERY_RESULT_BACKEND",
)
# Sending work after a commit gives up fast: a request must not wait on a broker that is not there
# (what was not sent is recorded and sent again later).
PUBLISH_RETRY_FAST = {"max_retries": 2, "interval_start": 0, "interval_step": 0.5, "interval_max": 1}


@contextlib.contextmanager
def tasks_through_broker(broker: str) -> Iterator[None]:
    """Send tasks through `broker` to a worker (not eagerly) inside the block. Afterwards Celery
    follows Django's settings again: the overrides are removed, not re-pinned with their old values,
    so a later `settings.CELERY_...` change still takes effect."""
    saved = {key: app.conf.changes[key] for key in _BROKER_KEYS if key in app.conf.changes}
    # Celery reads the broker from the environment before its configuration (CI's second run sets it).
    saved_environ = {name: os.environ.get(name) for name in _BROKER_ENVIRON}
    for name in _BROKER_ENVIRON:
        os.environ.pop(name, None)
    app.conf.update(
        broker_url=broker,
        task_always_eager=False,
        result_backend=broker if broker.startswith("redis") else "cache+memory://",
    )
    _forget_connections()
    try:
        yield
    finally:
        for key in _BROKER_KEYS:
            if key in saved:
                app.conf.changes[key] = saved[key]
            else:
                app.conf.changes.pop(key, None)
        for name, value in saved_environ.items():
            if value is not None:
                os.environ[name] = value
        _forget_connections()


def _forget_connections() -> None:
    # Celery caches the result backend and the producer pool on the app, and kombu keeps pools in a
    # global registry: drop them so they are built again for the broker in use.
    app._backend_cache = None
    if hasattr(app._local, "backend"):
        del app._local.backend
    kombu_pools.reset()
    app._pool = None
    app.amqp._producer_pool = None
    # An in-process worker started with `queues=[...]` narrows the app's queue selection for good;
    # the next block starts again from CELERY_TASK_QUEUES, as a new worker process would.
    app.amqp.__dict__.pop("queues", None)
