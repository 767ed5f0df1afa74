"""TLS for the stand-in: a private test CA (from trustme) and a server certificate for
127.0.0.1 and localhost. Clients trust the stand-in by trusting the CA's PEM file.
"""

from __future__ import annotations

import atexit
import shutil
import ssl
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path

import trustme

HOSTS = ("127.0.0.1", "localhost", "::1")
CA_FILE = "standin-ca.pem"
CA_KEY_FILE = "standin-ca.key"

_default: TlsMaterial | None = None
_default_lock = threading.Lock()


@dataclass
class TlsMaterial:
    """A CA (whose PEM clients trust) and the server certificate it signed."""

    ca: trustme.CA
    ca_path: Path
    server_cert: trustme.LeafCert

    def server_context(self) -> ssl.SSLContext:
        """An SSL context for the server side."""
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.minimum_version = ssl.TLSVersion.TLSv1_2
        self.server_cert.configure_cert(context)
        return context


def make_tls(directory: str | Path) -> TlsMaterial:
    """CA and server certificate kept in `directory`.

    The CA is reused when the directory already holds one, so a client configured with
    its path keeps working across restarts of the stand-in.
    """
    folder = Path(directory)
    folder.mkdir(parents=True, exist_ok=True)
    ca_path, key_path = folder / CA_FILE, folder / CA_KEY_FILE
    if ca_path.exists() and key_path.exists():
        ca = trustme.CA.from_pem(ca_path.read_bytes(), key_path.read_bytes())
    else:
        ca = trustme.CA(organization_name="Backstory Salesforce stand-in")
        ca.private_key_pem.write_to_path(str(key_path))
        key_path.chmod(0o600)
        ca.cert_pem.write_to_path(str(ca_path))
    return TlsMaterial(ca, ca_path, ca.issue_cert(*HOSTS))


def default_tls() -> TlsMaterial:
    """One CA per process in a temporary directory (removed at exit), shared by in-process servers."""
    global _default
    with _default_lock:
        if _default is None:
            folder = tempfile.mkdtemp(prefix="sf-standin-tls-")
            atexit.register(shutil.rmtree, folder, True)
            _default = make_tls(folder)
        return _default
