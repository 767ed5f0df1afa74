"""manage.py benchmark_import_memory --attachment-mb N: peak memory of importing one .eml with a big
attachment, against the floor of importing the same message without it, in the same run."""

from __future__ import annotations

import base64
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

_CHILD = """
import resource, sys, django
django.setup()
from django.core.management import call_command
call_command("import_activities", sys.argv[1], "--no-progress", "--batch-size", "10")
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def _message(path: Path, *, message_id: str, attachment_bytes: int) -> None:
    chunk = base64.encodebytes(os.urandom(57 * 1024))  # 57 KiB of data: whole base64 lines
    with open(path, "wb") as file:
        file.write(
            (
                f"Message-ID: <{message_id}>\nDate: Mon, 16 Nov 2026 09:00:00 +0000\n"
                "From: Dana Rivera <dana.rivera@lumen-analytics.com>\nTo: Jane Doe <jane.doe@acme.com>\n"
                'Subject: The recording\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="b1"\n\n'
                "--b1\nContent-Type: text/plain\n\nThe recording of the call is attached.\n\n--b1\n"
                'Content-Type: video/mp4; name="call.mp4"\nContent-Transfer-Encoding: base64\n'
                'Content-Disposition: attachment; filename="call.mp4"\n\n'
            ).encode()
        )
        for _ in range(attachment_bytes // (57 * 1024)):
            file.write(chunk)
        file.write(b"--b1--\n")


class Command(BaseCommand):
    help = (
        "Import one .eml holding an attachment of N MB in a child process and print its peak RSS, next to the "
        "floor: the same import with no attachment. The figure in RELIABILITY.md comes from here."
    )

    def add_arguments(self, parser):
        parser.add_argument("--attachment-mb", type=int, default=50)

    def handle(self, *args, **options):
        size = options["attachment_mb"] * 2**20
        with tempfile.TemporaryDirectory() as directory:
            floor = self.measure(Path(directory) / "floor.eml", f"floor-{time.time()}@bench", 0)
            big = self.measure(Path(directory) / "big.eml", f"big-{time.time()}@bench", size)
        self.stdout.write(
            f"peak RSS importing one .eml: {floor:,.0f} MB with no attachment (floor), "
            f"{big:,.0f} MB with a {options['attachment_mb']} MB attachment: {big / floor:.2f}x the floor, "
            f"{big - floor:+,.0f} MB"
        )

    def measure(self, path: Path, message_id: str, attachment_bytes: int) -> float:
        _message(path, message_id=message_id, attachment_bytes=attachment_bytes)
        environment = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": os.environ.get("DJANGO_SETTINGS_MODULE", "backstory.settings"),
            # Measure the reading, not the refusal: lift the message size limit above the file.
            "BACKSTORY_MAX_MESSAGE_MB": str(2 * attachment_bytes // 2**20 + 10),
        }
        result = subprocess.run(
            [sys.executable, "-c", _CHILD, str(path)],
            cwd=settings.BASE_DIR,
            env=environment,
            capture_output=True,
            text=True,
        )
        if result.returncode:
            raise CommandError(f"the import failed:\n{result.stdout}{result.stderr}")
        return int(result.stdout.strip().splitlines()[-1]) / 1024  # ru_maxrss is in KiB on Linux
