"""The SMTP server's certificate is verified, host name included, for STARTTLS
and implicit TLS. A certificate that does not verify is a failed connection: the
mail stays queued with no attempt used (an outage), and goes out once the CA is
trusted (ASKFIRST_SMTP_CA_FILE). A server that offers no STARTTLS gets nothing
in clear, and a login happens only inside TLS."""

import ssl
from datetime import timedelta

import pytest
import time_machine
import trustme
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult
from django.utils import timezone

from askfirst.lifecycle.services import lifecycle_advance
from askfirst.mail.delivery import SmtpTarget, mail_deliver
from askfirst.mail.models import Outbox, OutboxState, SmtpOutage
from tests.lifecycle.helpers import asking_contact
from tests.mail.smtpserver import SmtpServer

pytestmark = pytest.mark.django_db

USER, PASSWORD = "askfirst", "relay secret"


class TlsSmtpServer(SmtpServer):
    """The test server, offering STARTTLS or speaking TLS from the first byte."""

    def __init__(self, context: ssl.SSLContext | None, *, implicit: bool = False):
        super().__init__()
        self.context = context
        self.implicit = implicit
        self.logins: list[tuple[str, str, bool]] = []

    def _authenticate(self, server, session, envelope, mechanism, auth_data):
        # Who logged in, and whether the session was inside TLS by then.
        login, password = auth_data.login.decode(), auth_data.password.decode()
        self.logins.append((login, password, session.ssl is not None))
        return AuthResult(success=(login, password) == (USER, PASSWORD))

    def start(self):
        tls = {"ssl_context": self.context} if self.implicit else {"tls_context": self.context}
        self.controller = Controller(
            self.store,
            hostname="127.0.0.1",
            port=self.port,
            authenticator=self._authenticate,
            **(tls if self.context is not None else {}),
        )
        self.controller.start()


@pytest.fixture
def ca():
    return trustme.CA()


@pytest.fixture
def ca_file(ca, tmp_path):
    path = tmp_path / "private-ca.pem"
    ca.cert_pem.write_to_path(str(path))
    return str(path)


def _server_context(ca, *identities: str) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ca.issue_cert(*identities).configure_cert(context)
    return context


@pytest.fixture
def starttls_server(ca):
    server = TlsSmtpServer(_server_context(ca, "127.0.0.1"))
    server.start()
    yield server
    server.stop()


def _one_request_queued() -> Outbox:
    asking_contact(language="en")
    lifecycle_advance()
    return Outbox.objects.get()


def _target(server: SmtpServer, **tls) -> SmtpTarget:
    return SmtpTarget(host="127.0.0.1", port=server.port, timeout=5, **tls)


def test_untrusted_certificate_keeps_the_mail_queued_then_the_ca_file_delivers(
    starttls_server, ca_file, settings
):
    row = _one_request_queued()
    # The system's CAs do not know the test CA.
    result = mail_deliver(worker_id="w", smtp=_target(starttls_server, starttls=True))
    assert (result.sent, result.failed, result.deferred) == (0, 0, 1)
    assert "CERTIFICATE_VERIFY_FAILED" in result.errors[0]
    assert starttls_server.store.messages() == []
    row.refresh_from_db()
    assert (row.state, row.attempts) == (OutboxState.RETRY, 0)
    assert "CERTIFICATE_VERIFY_FAILED" in row.last_error
    assert SmtpOutage.objects.get().retry_at > timezone.now()  # workers pause, as for any outage

    # The operator points ASKFIRST_SMTP_CA_FILE at the private CA: the worker's
    # own target (from settings) delivers after the pause.
    settings.ASKFIRST_SMTP_HOST = "127.0.0.1"
    settings.ASKFIRST_SMTP_PORT = starttls_server.port
    settings.ASKFIRST_SMTP_STARTTLS = True
    settings.ASKFIRST_SMTP_CA_FILE = ca_file
    with time_machine.travel(timezone.now() + timedelta(hours=1), tick=False):
        assert mail_deliver(worker_id="w").sent == 1
    row.refresh_from_db()
    assert (row.state, row.attempts) == (OutboxState.SENT, 1)
    assert [m["To"] for m in starttls_server.store.messages()] == [row.recipient]


def test_certificate_for_another_host_is_refused(ca, ca_file):
    server = TlsSmtpServer(_server_context(ca, "mail.elsewhere.example"))
    server.start()
    try:
        row = _one_request_queued()
        result = mail_deliver(worker_id="w", smtp=_target(server, starttls=True, ca_file=ca_file))
        assert (result.sent, result.deferred) == (0, 1)
        assert "127.0.0.1" in result.errors[0]  # "IP address mismatch … '127.0.0.1'"
        assert server.store.messages() == []
    finally:
        server.stop()
    row.refresh_from_db()
    assert (row.state, row.attempts) == (OutboxState.RETRY, 0)


def test_a_server_without_starttls_gets_nothing_in_clear(ca_file):
    server = TlsSmtpServer(None)
    server.start()
    try:
        row = _one_request_queued()
        result = mail_deliver(
            worker_id="w",
            smtp=_target(server, starttls=True, ca_file=ca_file, user=USER, password=PASSWORD),
        )
        assert (result.sent, result.deferred) == (0, 1)
        assert "STARTTLS" in result.errors[0]
        assert server.store.messages() == [] and server.logins == []
    finally:
        server.stop()
    row.refresh_from_db()
    assert (row.state, row.attempts) == (OutboxState.RETRY, 0)


def test_login_happens_inside_starttls(starttls_server, ca_file):
    _one_request_queued()
    target = _target(starttls_server, starttls=True, ca_file=ca_file, user=USER, password=PASSWORD)
    assert mail_deliver(worker_id="w", smtp=target).sent == 1
    assert starttls_server.logins == [(USER, PASSWORD, True)]


def test_implicit_tls_verifies_too(ca, ca_file):
    server = TlsSmtpServer(_server_context(ca, "127.0.0.1"), implicit=True)
    server.start()
    try:
        row = _one_request_queued()
        untrusted = mail_deliver(worker_id="w", smtp=_target(server, implicit_tls=True))
        assert (untrusted.sent, untrusted.deferred) == (0, 1)
        assert "CERTIFICATE_VERIFY_FAILED" in untrusted.errors[0]
        with time_machine.travel(timezone.now() + timedelta(hours=1), tick=False):
            trusted = mail_deliver(
                worker_id="w", smtp=_target(server, implicit_tls=True, ca_file=ca_file)
            )
        assert trusted.sent == 1
        assert len(server.store.messages()) == 1
    finally:
        server.stop()
    row.refresh_from_db()
    assert (row.state, row.attempts) == (OutboxState.SENT, 1)
