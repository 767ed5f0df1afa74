"""A local OpenAI-compatible chat completions endpoint for tests: a tiny http.server in a thread."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class LlmStandIn:
    """Answers POST /v1/chat/completions according to ``mode``: ok, error, bad_json, slow, no_citations."""

    def __init__(self):
        self.mode = "ok"
        self.reply = "The decision maker is Chloe Rossi [1], last seen on the pricing call [2]. See also [9]."
        self.requests: list[dict] = []
        self.headers: list[dict] = []
        stand_in = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                return None

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                stand_in.requests.append(json.loads(body))
                stand_in.headers.append(dict(self.headers))
                if self.path != "/v1/chat/completions":
                    return self._send(404, b'{"error": "not found"}')
                if stand_in.mode == "error":
                    return self._send(503, b'{"error": "overloaded"}')
                if stand_in.mode == "bad_json":
                    return self._send(200, b"<html>not json</html>")
                if stand_in.mode == "slow":
                    time.sleep(1.0)
                content = "The data shows activity." if stand_in.mode == "no_citations" else stand_in.reply
                payload = {
                    "id": "x",
                    "object": "chat.completion",
                    "choices": [{"index": 0, "message": {"role": "assistant", "content": content}}],
                }
                return self._send(200, json.dumps(payload).encode())

            def _send(self, status, body):
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (the timeout test)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/v1"

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
