"""The demo mailbox: an SMTP server in the process that keeps what it receives
in the DemoMail table, so staff can read the mails (and click the links) in
the admin. Used by `askfirst serve --demo-smtp` (`make run`)."""

import asyncio
import email
import email.policy
import logging

from aiosmtpd.controller import Controller
from django.db import connection

from askfirst.mail.models import DemoMail

log = logging.getLogger(__name__)


def demo_mail_store(*, mail_from: str, recipients: list[str], raw: bytes) -> DemoMail:
    message = email.message_from_bytes(raw, policy=email.policy.default)
    body = message.get_body(("plain",))
    text = body.get_content().replace("\r\n", "\n") if body is not None else ""
    return DemoMail.objects.create(
        mail_from=mail_from,
        recipients=", ".join(recipients),
        subject=str(message["Subject"] or ""),
        text=text,
        raw=raw.decode("utf-8", "replace"),
    )


class _Handler:
    async def handle_DATA(self, server, session, envelope):
        def store():
            try:
                demo_mail_store(
                    mail_from=envelope.mail_from,
                    recipients=list(envelope.rcpt_tos),
                    raw=envelope.original_content or envelope.content,
                )
            finally:
                # An executor thread: do not leave its connection open behind it.
                connection.close()

        # The ORM is synchronous: run it off the event loop.
        await asyncio.get_running_loop().run_in_executor(None, store)
        return "250 OK"


def demo_smtp_start(*, host: str, port: int) -> Controller:
    controller = Controller(_Handler(), hostname=host, port=port, enable_SMTPUTF8=True)
    controller.start()
    log.info("demo mailbox listening on %s:%s", host, port)
    return controller
