"""The HTTPS transport of the stand-in and its lifecycle.

`StandinServer` binds a port (0 picks a free one), serves on a background thread, and
stops cleanly, closing the connections it still holds. Use it as a context manager:

    with StandinServer(fixtures=SMALL_ORG) as server:
        sf = server.salesforce()          # simple_salesforce.Salesforce over HTTPS
        sf.query("SELECT Id FROM Account")
"""

from __future__ import annotations

import json
import logging
import socket
import ssl
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlsplit

from .faults import FaultPlan
from .rest import DEFAULT_API_LIMIT, DEFAULT_VERSION, MAX_PAGE_SIZE, Response, RestApi, Sessions
from .store import Clock, Store
from .tls import TlsMaterial, default_tls, make_tls

if TYPE_CHECKING:
    import requests
    from simple_salesforce import Salesforce

logger = logging.getLogger(__name__)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as the client's connection pool expects
    server_version = "SFDC"
    sys_version = ""
    timeout = 60
    server: _HttpsServer

    def setup(self) -> None:
        super().setup()
        # Headers and body go out as separate TLS records; without NODELAY, Nagle and the
        # client's delayed ACK add ~40 ms to every response.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        # The listening socket defers the TLS handshake so a slow client cannot stall accept().
        self.connection.do_handshake()

    def do_GET(self) -> None:
        self._serve("GET")

    def do_POST(self) -> None:
        self._serve("POST")

    def do_PATCH(self) -> None:
        self._serve("PATCH")

    def do_DELETE(self) -> None:
        self._serve("DELETE")

    def do_PUT(self) -> None:
        self._serve("PUT")

    def do_HEAD(self) -> None:
        self._serve("HEAD")

    def _serve(self, method: str) -> None:
        url = urlsplit(self.path)
        params = {key: values[-1] for key, values in parse_qs(url.query, keep_blank_values=True).items()}
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        headers = {key.lower(): value for key, value in self.headers.items()}
        api_method = "GET" if method == "HEAD" else method
        try:
            response = self.server.api.handle(api_method, url.path, params, headers, body)
        except Exception:  # a stand-in bug must reach the client as a 500, not a dropped connection
            logger.exception("Salesforce stand-in failed on %s %s", method, self.path)
            response = Response(
                500,
                [
                    {
                        "message": "stand-in internal error (see the server log)",
                        "errorCode": "UNKNOWN_EXCEPTION",
                    }
                ],
            )
        payload = b"" if response.body is None else json.dumps(response.body).encode()
        self.send_response(response.status)
        if payload:
            self.send_header("Content-Type", "application/json;charset=UTF-8")
        self.send_header("Content-Length", str(len(payload)))
        for name, value in response.headers.items():
            self.send_header(name, value)
        self.end_headers()
        if method != "HEAD":
            self.wfile.write(payload)

    def log_message(self, format: str, *args: Any) -> None:
        if self.server.log:
            self.server.log(format % args)


class _HttpsServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(
        self,
        address: tuple[str, int],
        api: RestApi,
        context: ssl.SSLContext,
        log: Callable[[str], None] | None,
    ) -> None:
        super().__init__(address, _Handler)
        self.api = api
        self.log = log
        self.socket = context.wrap_socket(self.socket, server_side=True, do_handshake_on_connect=False)
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._connections_lock:
            self._connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self._connections_lock:
            self._connections.discard(request)
        super().shutdown_request(request)

    def close_connections(self) -> None:
        with self._connections_lock:
            connections, self._connections = list(self._connections), set()
        for connection in connections:
            try:
                connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def handle_error(self, request: Any, client_address: Any) -> None:
        # Clients that drop the connection or refuse our certificate are not server bugs.
        logger.debug("connection from %s ended with an error", client_address, exc_info=True)


class StandinServer:
    """A running (or ready to run) Salesforce stand-in.

    Attributes once started: `url` (the instance URL), `ca_path` (PEM to trust),
    `session_id` (accepted bearer token), `store`, `faults`, `sessions`, `api`.
    """

    def __init__(
        self,
        *,
        store: Store | None = None,
        fixtures: str | Path | dict | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        session_id: str | None = None,
        tls: TlsMaterial | None = None,
        tls_dir: str | Path | None = None,
        page_size: int = MAX_PAGE_SIZE,
        api_limit: int = DEFAULT_API_LIMIT,
        clock: Clock | None = None,
        log: Callable[[str], None] | None = None,
    ) -> None:
        self.store = store or Store(clock=clock)
        if fixtures is not None:
            if isinstance(fixtures, dict):
                self.store.load(fixtures)
            else:
                self.store.load_file(fixtures)
        self.faults = FaultPlan()
        self.sessions = Sessions()
        self.session_id = session_id or self.sessions.issue()
        self.sessions.accept(self.session_id)
        self.api = RestApi(
            self.store, faults=self.faults, sessions=self.sessions, page_size=page_size, api_limit=api_limit
        )
        self.host = host
        self._port = port
        self._tls = tls or (make_tls(tls_dir) if tls_dir else None)
        self._log = log
        self._httpd: _HttpsServer | None = None
        self._thread: threading.Thread | None = None
        self._sf: Salesforce | None = None

    # -- lifecycle -----------------------------------------------------------------------
    def start(self) -> StandinServer:
        """Bind and serve on a background thread; returns self."""
        if self._httpd is not None:
            return self
        self._tls = self._tls or default_tls()
        self._httpd = _HttpsServer((self.host, self._port), self.api, self._tls.server_context(), self._log)
        self._thread = threading.Thread(
            target=self._httpd.serve_forever,
            kwargs={"poll_interval": 0.1},
            name=f"salesforce-standin-{self.port}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving, close open connections and release the port."""
        if self._httpd is None:
            return
        self._httpd.shutdown()
        self._httpd.close_connections()
        self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._httpd = self._thread = None

    def serve_forever(self) -> None:
        """Serve on the calling thread until `stop()` is called from another (or Ctrl-C)."""
        self.start()
        assert self._thread is not None
        try:
            while self._thread is not None and self._thread.is_alive():
                self._thread.join(timeout=0.5)
        finally:
            self.stop()

    def __enter__(self) -> StandinServer:
        return self.start()

    def __exit__(self, *exc_info: Any) -> None:
        self.stop()

    # -- addresses -----------------------------------------------------------------------
    @property
    def port(self) -> int:
        if self._httpd is None:
            return self._port
        return self._httpd.server_address[1]

    @property
    def url(self) -> str:
        """The instance URL, e.g. https://127.0.0.1:8443."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"https://{host}:{self.port}"

    @property
    def ca_path(self) -> str:
        """Path of the PEM file of the CA that signed the server certificate."""
        self._tls = self._tls or default_tls()
        return str(self._tls.ca_path)

    # -- the org's API limit -------------------------------------------------------------
    def set_api_limits(self, *, max: int | None = None, remaining: int | None = None) -> None:
        """Set DailyApiRequests Max and Remaining (as if other integrations had used the rest);
        every call served afterwards takes one off Remaining, and past zero calls are refused
        with REQUEST_LIMIT_EXCEEDED. Also `POST /_standin/limits {"Max": .., "Remaining": ..}`."""
        self.api.set_api_limits(max=max, remaining=remaining)

    def api_limits(self) -> dict[str, int]:
        """DailyApiRequests now: {"Max": .., "Remaining": ..}."""
        return self.api.api_limits()

    # -- clients -------------------------------------------------------------------------
    def issue_session(self) -> str:
        """A fresh session id the server accepts (what a re-login would return)."""
        return self.sessions.issue()

    def requests_session(self) -> requests.Session:
        """A requests session that trusts the stand-in's CA."""
        import requests

        session = requests.Session()
        # Without this, REQUESTS_CA_BUNDLE in the environment overrides `verify` (and a
        # proxy from the environment could capture 127.0.0.1): the stand-in is local.
        session.trust_env = False
        session.verify = self.ca_path
        return session

    def salesforce(self, *, version: str = DEFAULT_VERSION, session_id: str | None = None) -> Salesforce:
        """An unmodified simple_salesforce client connected to this server."""
        from simple_salesforce import Salesforce

        return Salesforce(
            session_id=session_id or self.session_id,
            instance_url=self.url,
            session=self.requests_session(),
            version=version,
        )

    @property
    def sf(self) -> Salesforce:
        """A shared client (created on first use)."""
        if self._sf is None:
            self._sf = self.salesforce()
        return self._sf
