"""A proper production environment, for tests that start askfirst with ASKFIRST_PRODUCTION=1.

Production refuses the shipped examples (askfirst/settings.py); nothing here is
ever mailed or opened.
"""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PRODUCTION = {
    "ASKFIRST_PRODUCTION": "1",
    "ASKFIRST_DEBUG": "0",
    "ASKFIRST_SECRET_KEY": "k3y-" + "Zq8vR2mX9pL4tW7yB1nC6dF0gH5jK3sA" * 2,
    "ASKFIRST_ALLOWED_HOSTS": "consent.nordwind-handel.de",
    "ASKFIRST_SITE_URL": "https://consent.nordwind-handel.de",
    "ASKFIRST_COMPANY_NAME": "Nordwind Handel GmbH",
    "ASKFIRST_COMPANY_ADDRESS": "Hafenweg 4, 20457 Hamburg, Deutschland",
    "ASKFIRST_PRIVACY_CONTACT": "datenschutz@nordwind-handel.de",
    "ASKFIRST_MAIL_FROM": "Nordwind Handel GmbH <datenschutz@nordwind-handel.de>",
    "ASKFIRST_MAIL_REPLY_TO": "datenschutz@nordwind-handel.de",
}


def production_env(var_dir: Path, **overrides: str | None) -> dict[str, str]:
    """This process's environment with PRODUCTION and `overrides` (None: unset)."""
    env = {
        name: value
        for name, value in os.environ.items()
        # Whatever the test run set for askfirst is not production's.
        if not name.startswith("ASKFIRST_")
        and name not in {"DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE", "DJANGO_SETTINGS_MODULE"}
    }
    env.update(PRODUCTION, ASKFIRST_VAR_DIR=str(var_dir))
    for name, value in overrides.items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    return env


def askfirst(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "askfirst.cli", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
