"""A real SMTP server in the test process (aiosmtpd), per RECIPES.md."""

import email
import email.policy
import socket
import threading

import pytest
from aiosmtpd.controller import Controller

from askfirst.mail.delivery import SmtpTarget


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Store:
    def __init__(self):
        self.envelopes = []
        self.lock = threading.Lock()
        # Recipient address → SMTP reply for RCPT (e.g. "550 no such user").
        self.reject = {}
        # Recipient address → SMTP reply once the message is sent (end of DATA).
        self.reject_data = {}
        # The connection breaks, with no reply and the message not kept, when
        # this many messages have arrived (once), or at any message to these
        # addresses (every time).
        self.drop_after: int | None = None
        self.drop_for: set[str] = set()
        self.drops = 0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.reject:
            return self.reject[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        for address in envelope.rcpt_tos:
            if address in self.reject_data:
                return self.reject_data[address]
        with self.lock:
            if len(self.envelopes) == self.drop_after or self.drop_for & set(envelope.rcpt_tos):
                if len(self.envelopes) == self.drop_after:
                    self.drop_after = None
                self.drops += 1
                server.transport.abort()  # like a crash: the client waits for a reply in vain
                return "421 never sent"
            self.envelopes.append(envelope)
        return "250 OK"

    def messages(self):
        with self.lock:
            return [
                email.message_from_bytes(env.content, policy=email.policy.default)
                for env in self.envelopes
            ]

    def to(self, address: str):
        return [m for m in self.messages() if m["To"] == address]


class SmtpServer:
    def __init__(self):
        self.port = free_port()
        self.store = Store()
        self.controller = None

    @property
    def target(self) -> SmtpTarget:
        return SmtpTarget(host="127.0.0.1", port=self.port, timeout=5)

    def start(self):
        self.controller = Controller(
            self.store, hostname="127.0.0.1", port=self.port, enable_SMTPUTF8=True
        )
        self.controller.start()

    def stop(self):
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


@pytest.fixture
def smtp(settings):
    server = SmtpServer()
    server.start()
    settings.ASKFIRST_SMTP_HOST = "127.0.0.1"
    settings.ASKFIRST_SMTP_PORT = server.port
    settings.ASKFIRST_SMTP_TIMEOUT = 5
    yield server
    server.stop()
