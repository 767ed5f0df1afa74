"""Real Dovecot (IMAP) and Radicale (CalDAV) servers on free loopback ports, for tests and benchmarks.

Both run from a private directory with their own configuration and stop when asked. Dovecot is the
Debian ``dovecot-imapd`` binary (``bin/test`` installs it); a machine without it fails loudly.
"""

from __future__ import annotations

import grp
import os
import pwd
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

DOVECOT_CANDIDATES = ("/usr/sbin/dovecot", "/usr/local/sbin/dovecot")
SAMPLE_MAIL = Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "enron-sample"


class ServerUnavailable(RuntimeError):
    """A test server could not be found or started; the text says how to fix it."""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_for_port(port: int, process: subprocess.Popen, log: Path, seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise ServerUnavailable(f"the server exited with {process.returncode}: {_tail(log)}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    process.kill()
    raise ServerUnavailable(f"the server did not listen on port {port} within {seconds:g} s: {_tail(log)}")


def _tail(log: Path) -> str:
    try:
        return log.read_text(errors="replace")[-2000:]
    except OSError:
        return "(no log)"


def dovecot_binary() -> str:
    found = next((path for path in DOVECOT_CANDIDATES if os.access(path, os.X_OK)), None) or shutil.which(
        "dovecot"
    )
    if not found:
        raise ServerUnavailable(
            "Dovecot is not installed, and the connection tests need a real IMAP server. "
            "Install it with `apt-get install dovecot-imapd` (bin/test does this when run as root)."
        )
    return found


@dataclass
class Dovecot:
    """A running Dovecot: where it listens, its test user, and where that user's Maildir is."""

    port: int
    username: str
    password: str
    directory: Path
    process: subprocess.Popen
    mail_uid: int
    mail_gid: int

    host = "127.0.0.1"

    @property
    def maildir(self) -> Path:
        return self.directory / "mail" / self.username

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        shutil.rmtree(self.directory, ignore_errors=True)


def maildir_fill(
    maildir: Path,
    messages: list[bytes],
    *,
    folder: str = "",
    received_at: float | None = None,
    uid=None,
    gid=None,
) -> None:
    """Put messages into a Maildir folder ("" is INBOX, "Sent" is ``.Sent``) as delivered mail, one
    second apart, the newest ``received_at`` (the IMAP INTERNALDATE is the file's time)."""
    base = maildir / (f".{folder}" if folder else "")
    for sub in ("cur", "new", "tmp"):
        (base / sub).mkdir(parents=True, exist_ok=True)
    newest = received_at or time.time()
    for number, raw in enumerate(messages):
        when = newest - (len(messages) - number)
        path = base / "cur" / f"{int(when)}.M{number}P{os.getpid()}.backstory,S={len(raw)}:2,S"
        path.write_bytes(raw)
        os.utime(path, (when, when))
    if uid is not None:
        for root, directories, files in os.walk(maildir):
            for name in [*directories, *files]:
                os.chown(os.path.join(root, name), uid, gid)
        os.chown(maildir, uid, gid)


def dovecot_start(
    *, inbox: list[bytes] = (), sent: list[bytes] = (), password: str = "s3cret-Enron"
) -> Dovecot:
    """Start Dovecot on a free loopback port with one user whose INBOX and Sent are pre-filled."""
    binary = dovecot_binary()
    directory = Path(tempfile.mkdtemp(prefix="backstory-dovecot-"))
    os.chmod(directory, 0o755)
    port = free_port()
    username = "vince"
    if os.geteuid() == 0:
        # Dovecot will not read mail as root: the mail belongs to nobody, the helpers run as Dovecot's users.
        nobody = pwd.getpwnam("nobody")
        mail_uid, mail_gid = nobody.pw_uid, nobody.pw_gid
        login_user = "dovenull" if _user_exists("dovenull") else "nobody"
        internal_user = "dovecot" if _user_exists("dovecot") else "nobody"
    else:
        mail_uid, mail_gid = os.getuid(), os.getgid()
        login_user = internal_user = pwd.getpwuid(os.getuid()).pw_name
    for sub in ("run", "state", "home", "mail"):
        (directory / sub).mkdir()
    os.chmod(directory / "mail", 0o755)
    os.chmod(directory / "home", 0o755)
    home = directory / "home" / username
    home.mkdir()
    maildir = directory / "mail" / username
    maildir_fill(maildir, list(inbox))
    maildir_fill(maildir, list(sent), folder="Sent")
    maildir_fill(maildir, [], folder="Drafts")
    if os.geteuid() == 0:
        for path in (home, maildir):
            for root, directories, files in os.walk(path):
                for name in [*directories, *files]:
                    os.chown(os.path.join(root, name), mail_uid, mail_gid)
            os.chown(path, mail_uid, mail_gid)
    passwd = directory / "passwd"
    passwd.write_text(f"{username}:{{PLAIN}}{password}::::::\n")
    os.chmod(passwd, 0o644)
    log = directory / "dovecot.log"
    config = directory / "dovecot.conf"
    config.write_text(
        f"""
protocols = imap
listen = 127.0.0.1
base_dir = {directory}/run
state_dir = {directory}/state
log_path = {log}
info_log_path = {log}
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
auth_failure_delay = 0
default_login_user = {login_user}
default_internal_user = {internal_user}
first_valid_uid = 1
first_valid_gid = 1
mail_location = maildir:{directory}/mail/%u
mailbox_idle_check_interval = 1 secs
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {passwd}
}}
userdb {{
  driver = static
  args = uid={mail_uid} gid={mail_gid} home={directory}/home/%u
}}
namespace inbox {{
  inbox = yes
  separator = /
  mailbox Sent {{
    special_use = \\Sent
    auto = subscribe
  }}
  mailbox Drafts {{
    special_use = \\Drafts
    auto = subscribe
  }}
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
"""
    )
    process = subprocess.Popen(
        [binary, "-F", "-c", str(config)],
        stdout=subprocess.DEVNULL,
        stderr=open(log, "ab"),
        start_new_session=True,
    )
    server = Dovecot(port, username, password, directory, process, mail_uid, mail_gid)
    try:
        _wait_for_port(port, process, log)
    except ServerUnavailable:
        server.stop()
        raise
    return server


def _user_exists(name: str) -> bool:
    try:
        pwd.getpwnam(name)
        grp.getgrgid(pwd.getpwnam(name).pw_gid)
    except KeyError:
        return False
    return True


@dataclass
class Radicale:
    """A running Radicale CalDAV server with one user."""

    port: int
    username: str
    password: str
    directory: Path
    process: subprocess.Popen

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        shutil.rmtree(self.directory, ignore_errors=True)


def radicale_start(*, password: str = "cal-s3cret") -> Radicale:
    """Start Radicale (the test-only pip package) on a free loopback port with one user."""
    directory = Path(tempfile.mkdtemp(prefix="backstory-radicale-"))
    port = free_port()
    username = "vince"
    users = directory / "users"
    users.write_text(f"{username}:{password}\n")
    log = directory / "radicale.log"
    config = directory / "config"
    config.write_text(
        f"""
[server]
hosts = 127.0.0.1:{port}
[auth]
type = htpasswd
htpasswd_filename = {users}
htpasswd_encryption = plain
delay = 0
[rights]
type = owner_only
[storage]
filesystem_folder = {directory}/collections
[web]
type = none
[logging]
level = warning
"""
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "radicale", "--config", str(config)],
        stdout=subprocess.DEVNULL,
        stderr=open(log, "ab"),
        start_new_session=True,
    )
    server = Radicale(port, username, password, directory, process)
    try:
        _wait_for_port(port, process, log)
    except ServerUnavailable:
        server.stop()
        raise
    return server
