"""`askfirst check --deploy` reports nothing with production settings."""

import os
import subprocess
import sys
from pathlib import Path

from tests.settings.production import PRODUCTION

ROOT = Path(__file__).resolve().parents[2]


def test_check_deploy(tmp_path):
    env = {
        **os.environ,
        # Production refuses a local SITE_URL and the example company (askfirst/settings.py).
        **PRODUCTION,
        "ASKFIRST_PRODUCTION": "1",
        "ASKFIRST_DEBUG": "0",
        "ASKFIRST_SECRET_KEY": "k3y-" + "Zq8vR2mX9pL4tW7yB1nC6dF0gH5jK3sA" * 2,
        "ASKFIRST_VAR_DIR": str(tmp_path),
    }
    env.pop("DATABASE_URL", None)
    # The browser tests set it for their own process; a deployment never would.
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    result = subprocess.run(
        [sys.executable, "-m", "askfirst.cli", "check", "--deploy", "--fail-level", "DEBUG"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_cookies_are_secure_httponly_samesite(tmp_path):
    env = {
        **os.environ,
        **PRODUCTION,
        "ASKFIRST_PRODUCTION": "1",
        "ASKFIRST_SECRET_KEY": "k3y-" + "Zq8vR2mX9pL4tW7yB1nC6dF0gH5jK3sA" * 2,
        "ASKFIRST_VAR_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "askfirst.settings",
    }
    code = (
        "from django.conf import settings as s; "
        "print(s.SESSION_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY, s.SESSION_COOKIE_SAMESITE, "
        "s.CSRF_COOKIE_SECURE, s.SECURE_HSTS_SECONDS > 0, s.SESSION_COOKIE_NAME)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.stdout.split() == [
        "True",
        "True",
        "Lax",
        "True",
        "True",
        "__Host-askfirst-session",
    ], result.stderr
