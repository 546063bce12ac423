"""Personas and factories shared by the tests."""

import itertools

from django.contrib.auth import get_user_model

from askfirst.contacts.inputs import parse_contact
from askfirst.contacts.models import Contact
from askfirst.contacts.services import contact_upsert

_counter = itertools.count(1)


def make_contact(**fields) -> Contact:
    n = next(_counter)
    row = {
        "email": f"person{n}@example.org",
        "first_name": "Erika",
        "last_name": f"Mustermann{n}",
        "source": "api",
    }
    row.update(fields)
    contact, _ = contact_upsert(data=parse_contact(row, default_source="api"))
    return contact


def make_staff(username: str = "staff", **fields):
    User = get_user_model()
    user, _ = User.objects.get_or_create(
        username=username, defaults={"is_staff": True, "is_superuser": True, **fields}
    )
    user.set_password("correct horse battery staple")
    user.save()
    return user
