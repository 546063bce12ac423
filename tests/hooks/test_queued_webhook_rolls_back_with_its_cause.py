"""The webhook is written in the transaction of the answer: if that transaction
rolls back, neither the answer nor the webhook exists."""

import pytest
from django.db import transaction

from askfirst.consent.models import ConsentEvent
from askfirst.consent.services import consent_record
from askfirst.hooks.models import Delivery
from tests.factories import make_contact
from tests.hooks.helpers import PORTAL, endpoint_for

pytestmark = pytest.mark.django_db


class Boom(Exception):
    pass


def test_exception_after_the_answer_leaves_no_delivery(receiver):
    endpoint_for(receiver)
    contact = make_contact()
    with pytest.raises(Boom), transaction.atomic():
        consent_record(contact=contact, purpose_key="storage", granted=True, proof=PORTAL)
        assert Delivery.objects.count() == 1  # queued inside the transaction
        raise Boom
    assert ConsentEvent.objects.count() == 0
    assert Delivery.objects.count() == 0
