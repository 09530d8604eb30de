"""A real webhook receiver on loopback (http.server in a thread) that verifies every delivery
with the receiver-side helper and answers what the test scripts: it can fail, then recover."""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from notifications.webhooks import ReplayGuard, WebhookRejected, webhook_verify


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes
    verdict: str  # "ok" or the rejection's code
    answered: int
    client_port: int = 0  # the sender's side of the connection: one per kept-alive connection


@dataclass
class Receiver:
    secret: str = ""
    answers: list[int] = field(default_factory=list)  # answered in turn, then 200 for ever
    received: list[Received] = field(default_factory=list)
    guard: ReplayGuard = field(default_factory=ReplayGuard)
    url: str = ""
    keep_alive: bool = False  # answer HTTP/1.1 and keep connections open, as most servers do

    def handle(self, headers: dict[str, str], body: bytes, client_port: int = 0) -> int:
        try:
            webhook_verify(secret=self.secret, headers=headers, body=body, guard=None)
            verdict = "ok"
        except WebhookRejected as rejected:
            verdict = rejected.code
        status = self.answers.pop(0) if self.answers else 200
        if verdict != "ok":
            status = 400
        elif status < 300:
            # Only an accepted delivery is remembered: a failed one will be retried.
            try:
                webhook_verify(secret=self.secret, headers=headers, body=body, guard=self.guard)
            except WebhookRejected as rejected:
                verdict, status = rejected.code, 200  # a repeat: acknowledged, not acted on
        self.received.append(Received(headers, body, verdict, status, client_port))
        return status


@contextlib.contextmanager
def running_receiver(receiver: Receiver) -> Iterator[Receiver]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1" if receiver.keep_alive else "HTTP/1.0"

        def do_POST(self):  # noqa: N802 - http.server's name
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            status = receiver.handle(dict(self.headers.items()), body, self.client_address[1])
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    receiver.url = f"http://127.0.0.1:{server.server_address[1]}/hooks/chengnuo"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@contextlib.contextmanager
def silent_receiver() -> Iterator[str]:
    """A loopback port that accepts connections and never answers (a hung receiver)."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}/hooks"
    finally:
        listener.close()
