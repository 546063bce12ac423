"""SMTP settings that would send the relay password in clear, or contradict each
other, stop askfirst at start-up with a message naming them; a local relay may
take a login without TLS."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from askfirst.env import require_smtp_tls_for_login
from tests.settings.production import askfirst, production_env


def _check(**settings):
    defaults = {
        "host": "smtp.nordwind-handel.de",
        "user": "",
        "starttls": False,
        "implicit_tls": False,
        "ca_file": "",
    }
    require_smtp_tls_for_login(**(defaults | settings))


def test_a_login_without_tls_to_another_host_is_refused():
    with pytest.raises(ImproperlyConfigured, match="ASKFIRST_SMTP_USER is set but") as error:
        _check(user="relay")
    assert "ASKFIRST_SMTP_HOST='smtp.nordwind-handel.de' has no TLS" in str(error.value)


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "::1", "127.0.0.2"])
def test_a_login_to_this_machine_may_go_without_tls(host):
    _check(host=host, user="relay")


@pytest.mark.parametrize("tls", [{"starttls": True}, {"implicit_tls": True}])
def test_a_login_over_tls_is_fine(tls):
    _check(user="relay", **tls)


def test_starttls_and_implicit_tls_together_are_refused():
    with pytest.raises(ImproperlyConfigured, match="ASKFIRST_SMTP_STARTTLS and ASKFIRST_SMTP_IMP"):
        _check(starttls=True, implicit_tls=True)


def test_a_ca_file_must_exist_and_have_tls_to_verify(tmp_path):
    missing = str(tmp_path / "missing.pem")
    with pytest.raises(ImproperlyConfigured, match="ASKFIRST_SMTP_CA_FILE=.* not a readable file"):
        _check(starttls=True, ca_file=missing)
    present = tmp_path / "ca.pem"
    present.write_text("")
    with pytest.raises(ImproperlyConfigured, match="ASKFIRST_SMTP_CA_FILE=.* no TLS is on"):
        _check(ca_file=str(present))
    _check(implicit_tls=True, ca_file=str(present))


def test_the_settings_apply_it_at_start_up(tmp_path):
    env = production_env(
        tmp_path, ASKFIRST_SMTP_HOST="smtp.nordwind-handel.de", ASKFIRST_SMTP_USER="relay"
    )
    result = askfirst("check", env=env)
    assert result.returncode != 0
    assert "ASKFIRST_SMTP_USER is set but the connection to ASKFIRST_SMTP_HOST" in result.stderr
    env["ASKFIRST_SMTP_STARTTLS"] = "1"
    result = askfirst("check", env=env)
    assert result.returncode == 0, result.stderr
