"""`askfirst serve --demo-smtp`: mails land in the DemoMail table, decoded."""

import time

import pytest

from askfirst.lifecycle.services import lifecycle_advance
from askfirst.mail.delivery import SmtpTarget, mail_deliver
from askfirst.mail.demo import demo_smtp_start
from askfirst.mail.models import DemoMail
from tests.lifecycle.helpers import asking_contact
from tests.mail.smtpserver import free_port

pytestmark = pytest.mark.django_db(transaction=True)


def test_demo_mailbox_keeps_the_decoded_text():
    port = free_port()
    controller = demo_smtp_start(host="127.0.0.1", port=port)
    try:
        contact = asking_contact(language="de", first_name="Jürgen")
        lifecycle_advance()
        assert mail_deliver(worker_id="w", smtp=SmtpTarget(host="127.0.0.1", port=port)).sent == 1
        for _ in range(50):
            if DemoMail.objects.exists():
                break
            time.sleep(0.1)
    finally:
        controller.stop()
    mail = DemoMail.objects.get()
    assert mail.recipients == contact.email
    assert "Dürfen wir" in mail.subject
    assert "Guten Tag Jürgen" in mail.text
    assert "/l/" in mail.text
