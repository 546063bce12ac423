"""The fast address path accepts only what email-validator accepts, normalised alike."""

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from askfirst.contacts.emails import InvalidEmail, normalise_email
from askfirst.intake.emails import email_normalise_fast

LOCAL = st.text(alphabet="abcXYZ09._+-!#'~@", min_size=0, max_size=70)
DOMAIN = st.text(alphabet="abcDEF09.-ü", min_size=0, max_size=40)
TLD = st.sampled_from(["de", "COM", "org", "local", "test", "x1", "123", "a", "xn--p1ai", ""])


def _outcome(function, value):
    try:
        return function(value)
    except InvalidEmail:
        return InvalidEmail


@settings(max_examples=3000, deadline=None)
@given(local=LOCAL, domain=DOMAIN, tld=TLD, pad=st.sampled_from(["", " ", "\t"]))
@example(local="a", domain="xn--bcher-kva", tld="de", pad="")
@example(local="a" * 64, domain="example", tld="org", pad="")
@example(local="a" * 65, domain="example", tld="org", pad="")
@example(local="a", domain="ab--cd", tld="de", pad="")
@example(local="a", domain="b." + "c" * 64, tld="de", pad="")
def test_fast_path_matches_email_validator(local, domain, tld, pad):
    value = f"{pad}{local}@{domain}.{tld}{pad}"
    assert _outcome(email_normalise_fast, value) == _outcome(normalise_email, value)


@pytest.mark.parametrize(
    "value", ["Anna.Muster@Example.DE", "user@bücher.de", "a@xn--bcher-kva.de"]
)
def test_examples(value):
    assert email_normalise_fast(value) == normalise_email(value)
