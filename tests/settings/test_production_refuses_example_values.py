"""With ASKFIRST_PRODUCTION=1, askfirst refuses to start with a SITE_URL people
cannot open (not https, this machine, an example domain, a host it would not
answer) or with the shipped example company, address, privacy contact, From or
Reply-To: the error names the variable. A proper configuration passes
`askfirst check --deploy` cleanly; without ASKFIRST_PRODUCTION the examples stay
(`make run`)."""

import subprocess
import sys

import pytest

from tests.settings.production import ROOT, askfirst, production_env

ERROR = "django.core.exceptions.ImproperlyConfigured: "


def _settings_error(env: dict[str, str]) -> str:
    """Load the settings as every askfirst process does first; return the error."""
    result = subprocess.run(
        [sys.executable, "-c", "import askfirst.settings"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0, "the settings loaded"
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith(ERROR), result.stderr
    return last.removeprefix(ERROR)


@pytest.mark.parametrize(
    ("value", "says"),
    [
        (None, "ASKFIRST_SITE_URL='http://127.0.0.1:8000' must be an https:// address"),
        ("http://consent.nordwind-handel.de", "must be an https:// address"),
        ("https://127.0.0.1", "names this machine (127.0.0.1)"),
        ("https://127.8.9.10:8443/", "names this machine (127.8.9.10)"),
        ("https://localhost:8000", "names this machine (localhost)"),
        ("https://[::1]:8000", "names this machine (::1)"),
        ("https://consent.example.com", "is an example domain"),
        ("https://consent.other-shop.de", "is not in ASKFIRST_ALLOWED_HOSTS"),
        ("https://", "must be an https:// address"),
    ],
)
def test_site_url_people_cannot_open_is_refused(tmp_path, value, says):
    env = production_env(
        tmp_path,
        ASKFIRST_SITE_URL=value,
        # So that each case fails for its own reason, not for ALLOWED_HOSTS.
        ASKFIRST_ALLOWED_HOSTS="consent.nordwind-handel.de,127.0.0.1,127.8.9.10,localhost,"
        "[::1],consent.example.com",
    )
    error = _settings_error(env)
    assert error.startswith("ASKFIRST_SITE_URL=")
    assert says in error


@pytest.mark.parametrize(
    ("name", "value", "says"),
    [
        ("ASKFIRST_COMPANY_NAME", None, "ASKFIRST_COMPANY_NAME='Beispiel GmbH' is the shipped"),
        ("ASKFIRST_COMPANY_NAME", "  beispiel   GMBH ", "is the shipped example"),
        ("ASKFIRST_COMPANY_NAME", " ", "ASKFIRST_COMPANY_NAME must be set in production"),
        ("ASKFIRST_COMPANY_ADDRESS", None, "ASKFIRST_COMPANY_ADDRESS='Musterstraße 1, 10115"),
        ("ASKFIRST_PRIVACY_CONTACT", None, "is the shipped example"),
        ("ASKFIRST_PRIVACY_CONTACT", "privacy@example.org", "is no address anyone reads"),
        ("ASKFIRST_PRIVACY_CONTACT", "", "ASKFIRST_PRIVACY_CONTACT must be set"),
        ("ASKFIRST_MAIL_FROM", None, "ASKFIRST_MAIL_FROM='Beispiel GmbH <datenschutz@exa"),
        ("ASKFIRST_MAIL_FROM", "Nordwind <news@mail.example.net>", "no address anyone reads"),
        ("ASKFIRST_MAIL_FROM", "Nordwind <news@shop.test>", "no address anyone reads"),
        ("ASKFIRST_MAIL_REPLY_TO", None, "is the shipped example"),
        ("ASKFIRST_MAIL_REPLY_TO", "datenschutz@localhost", "no address anyone reads"),
        ("ASKFIRST_MAIL_REPLY_TO", "datenschutz", "no address anyone reads"),
    ],
)
def test_shipped_examples_are_refused(tmp_path, name, value, says):
    error = _settings_error(production_env(tmp_path, **{name: value}))
    assert error.startswith(name)
    assert says in error


def test_the_command_stops_with_the_message(tmp_path):
    result = askfirst("check", env=production_env(tmp_path, ASKFIRST_COMPANY_NAME=None))
    assert result.returncode != 0
    assert "ASKFIRST_COMPANY_NAME='Beispiel GmbH' is the shipped example" in result.stderr


def test_proper_production_settings_pass_check_deploy(tmp_path):
    result = askfirst("check", "--deploy", "--fail-level", "DEBUG", env=production_env(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_a_wildcard_allowed_host_covers_the_site_url(tmp_path):
    env = production_env(
        tmp_path,
        ASKFIRST_ALLOWED_HOSTS=".nordwind-handel.de",
        ASKFIRST_SITE_URL="https://consent.nordwind-handel.de/",
    )
    result = subprocess.run(
        [sys.executable, "-c", "import askfirst.settings as s; print(s.SITE_URL)"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.stdout.strip() == "https://consent.nordwind-handel.de", result.stderr


def test_outside_production_the_examples_still_run(tmp_path):
    """`make run`: the demo on http://127.0.0.1:8000 with the example company."""
    env = production_env(tmp_path, ASKFIRST_PRODUCTION=None, ASKFIRST_SECRET_KEY=None)
    for name in (
        "ASKFIRST_SITE_URL",
        "ASKFIRST_ALLOWED_HOSTS",
        "ASKFIRST_COMPANY_NAME",
        "ASKFIRST_COMPANY_ADDRESS",
        "ASKFIRST_PRIVACY_CONTACT",
        "ASKFIRST_MAIL_FROM",
        "ASKFIRST_MAIL_REPLY_TO",
    ):
        env.pop(name)
    result = askfirst("check", env=env)
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout
