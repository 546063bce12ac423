"""The worker loop: advance due contacts, deactivate lapsed ones, deliver the
outbox and webhooks, tidy up.

Runs as `askfirst worker` (any number of processes against one PostgreSQL)
or as a thread inside `askfirst serve`.
"""

import io
import logging
import os
import socket
import threading
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.management import call_command
from django.db import close_old_connections, connection
from django.utils.module_loading import import_string

from askfirst.consent.lapse import BATCH as LAPSE_BATCH
from askfirst.consent.lapse import withdrawn_deactivate
from askfirst.contacts.services import scrub_claim
from askfirst.hooks.delivery import BATCH as HOOK_BATCH
from askfirst.hooks.delivery import deliveries_send
from askfirst.lifecycle.services import lifecycle_advance
from askfirst.mail.delivery import SmtpTarget, mail_deliver

log = logging.getLogger(__name__)

# Housekeeping (stale due rows, expired tokens, body retention) at most this often.
TIDY_EVERY = 60.0


@dataclass
class PassResult:
    advanced: int = 0
    mails_written: int = 0
    # Contacts deactivated after withdrawing storage consent (askfirst/consent/lapse.py).
    deactivated: int = 0
    sent: int = 0
    delivery_attempts: int = 0


class Worker:
    def __init__(
        self,
        *,
        smtp: SmtpTarget | None = None,
        stop: threading.Event | None = None,
        worker_id: str | None = None,
    ):
        self.smtp = smtp
        self.stop = stop or threading.Event()
        self.worker_id = (
            worker_id or f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}"
        )
        self._tidied_at = 0.0

    def run_once(self) -> PassResult:
        """Everything due now, batch by batch; stops between batches when asked to."""
        result = PassResult()
        if time.monotonic() - self._tidied_at > TIDY_EVERY:
            for step in settings.ASKFIRST_TIDY_STEPS:
                import_string(step)()
            if scrub_claim():
                # Erased people's bytes leave the database files (docs/operations.md).
                call_command("scrub", stdout=io.StringIO())
            self._tidied_at = time.monotonic()
        while not self.stop.is_set():
            advanced = lifecycle_advance()
            result.advanced += advanced.contacts
            result.mails_written += advanced.mails
            if advanced.contacts < settings.ASKFIRST_WORKER_BATCH:
                break
        while not self.stop.is_set():
            # Storage consent withdrawn, no choice made, the grace passed.
            lapsed = withdrawn_deactivate()
            result.deactivated += lapsed
            if lapsed < LAPSE_BATCH:
                break
        while not self.stop.is_set():
            delivered = mail_deliver(worker_id=self.worker_id, smtp=self.smtp)
            result.sent += delivered.sent
            result.delivery_attempts += delivered.claimed
            if delivered.claimed < settings.ASKFIRST_WORKER_BATCH or delivered.errors:
                break
        while not self.stop.is_set():
            # Webhooks to connected systems (docs/hooks.md), after the mails.
            posted = deliveries_send()
            result.delivery_attempts += posted.claimed
            if posted.claimed < HOOK_BATCH:
                break
        return result

    def run_forever(self) -> None:
        idle = settings.ASKFIRST_WORKER_IDLE.total_seconds()
        log.info("worker %s started", self.worker_id)
        while not self.stop.is_set():
            try:
                result = self.run_once()
            except Exception:
                # A database restart or a bug in one batch must not end the
                # worker: the transaction rolled back, so try again later.
                log.exception("worker pass failed")
                connection.close()
                self.stop.wait(idle)
                continue
            finally:
                close_old_connections()
            if result.advanced == 0 and result.deactivated == 0 and result.delivery_attempts == 0:
                self.stop.wait(idle)
        log.info("worker %s stopped", self.worker_id)
