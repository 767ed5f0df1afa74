"""A task for the worker-kill test, loaded only by the workers that test starts (``--include``).

It touches no database, so the test runs the same on SQLite and PostgreSQL: each run appends a
line to a file, and the first run waits long enough to be killed mid-task.
"""

import time
from pathlib import Path

from celery import shared_task


@shared_task(name="tests.slow_once", acks_late=True)
def slow_once(marker: str) -> str:
    path = Path(marker)
    runs = path.read_text().count("started") if path.exists() else 0
    with path.open("a") as file:
        file.write(f"started {runs + 1}\n")
    if runs == 0:
        time.sleep(120)  # the test kills the worker during this
    with path.open("a") as file:
        file.write("finished\n")
    return "done"
