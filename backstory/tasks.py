"""Project-level Celery tasks."""

from celery import shared_task
from django.db import connection


@shared_task(name="backstory.healthcheck", queue="default")
def healthcheck() -> dict:
    """Proves a worker is up and reaches the database: used by monitoring and the broker test."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        (one,) = cursor.fetchone()
    return {"database": one == 1}
