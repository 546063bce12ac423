"""An import pauses Python's cyclic garbage collector and always restores it."""

import contextlib
import gc
import io

import pytest

from askfirst.intake.services import ImportFileError, import_file, source_open

pytestmark = pytest.mark.django_db


def _import(text: str):
    return import_file(source=source_open(binary=io.BytesIO(text.encode()), kind="csv"))


@pytest.mark.parametrize(
    "text", ["email\na@example.org\nb@example.org\n", "email\n\n"], ids=["ok", "no rows"]
)
def test_collector_enabled_and_nothing_frozen_afterwards(text):
    assert gc.isenabled()
    with contextlib.suppress(ImportFileError):
        _import(text)
    assert gc.isenabled()
    assert gc.get_freeze_count() == 0


def test_collector_left_off_when_it_was_off():
    gc.disable()
    try:
        _import("email\na@example.org\n")
        assert not gc.isenabled()
    finally:
        gc.enable()
