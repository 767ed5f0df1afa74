"""Real servers for the connection tests: one Dovecot and one Radicale for the whole session."""

from __future__ import annotations

import time

import pytest

from .servers import SAMPLE_MAIL, ServerUnavailable, dovecot_start, radicale_start

OLD_MESSAGES = 20  # received 200 days ago: outside the default 90-day back-fill window
SENT_MESSAGES = 53


def sample_messages() -> list[bytes]:
    files = sorted(SAMPLE_MAIL.glob("*.eml"))
    if not files:
        pytest.fail(
            f"The Enron sample messages are missing from {SAMPLE_MAIL}: the repository should hold them."
        )
    return [path.read_bytes() for path in files]


@pytest.fixture(scope="session")
def sample_mail() -> dict[str, list[bytes]]:
    """The sample split as Dovecot holds it: old INBOX mail, recent INBOX mail, and Sent."""
    messages = sample_messages()
    return {
        "old": messages[:OLD_MESSAGES],
        "inbox": messages[OLD_MESSAGES:-SENT_MESSAGES],
        "sent": messages[-SENT_MESSAGES:],
    }


@pytest.fixture(scope="session")
def dovecot(sample_mail):
    """Dovecot on a free loopback port; user ``vince`` with INBOX and Sent filled from the sample."""
    from .servers import maildir_fill

    try:
        server = dovecot_start(inbox=sample_mail["inbox"], sent=sample_mail["sent"])
    except ServerUnavailable as error:
        pytest.fail(f"Dovecot could not start: {error}")
    # Older mail, delivered 200 days ago, sits in INBOX too (filled before Dovecot first reads it).
    maildir_fill(
        server.maildir,
        sample_mail["old"],
        received_at=time.time() - 200 * 86400,
        uid=server.mail_uid,
        gid=server.mail_gid,
    )
    yield server
    server.stop()


@pytest.fixture(scope="session")
def radicale():
    try:
        server = radicale_start()
    except ServerUnavailable as error:
        pytest.fail(f"Radicale could not start: {error}")
    yield server
    server.stop()
