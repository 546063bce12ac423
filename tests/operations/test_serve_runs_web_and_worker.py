"""`askfirst serve --demo-smtp` (what `make run` starts): the staff can log in, and a
contact given a language gets its request mail in the demo mailbox within seconds."""

import http.cookiejar
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(
    os.environ.get("DATABASE_URL", "").startswith("postgres"),
    reason="`make run` is the embedded SQLite default",
)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _askfirst(env, *args: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "askfirst.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        **kwargs,
    )


def _wait_for(url: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2)  # noqa: S310 (our own server)
            return
        except OSError:
            time.sleep(0.3)
    raise AssertionError(f"{url} did not answer")


def test_login_and_the_first_mail(tmp_path: Path):
    port, smtp_port = _free_port(), _free_port()
    env = {
        **{k: v for k, v in os.environ.items() if k != "DATABASE_URL"},
        "ASKFIRST_VAR_DIR": str(tmp_path),
        "ASKFIRST_DEMO_SMTP_PORT": str(smtp_port),
        "ASKFIRST_WORKER_IDLE": "1s",
        "ASKFIRST_SITE_URL": f"http://127.0.0.1:{port}",
    }
    _askfirst(env, "migrate", "--noinput", "-v0")
    _askfirst(env, "demo")
    password = (tmp_path / "demo-staff-password").read_text().strip()
    server = subprocess.Popen(
        [sys.executable, "-m", "askfirst.cli", "serve", "--port", str(port), "--demo-smtp"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        _wait_for(f"{base}/admin/login/")
        jar = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        page = opener.open(f"{base}/admin/login/", timeout=10).read().decode()
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        form = urllib.parse.urlencode(
            {"csrfmiddlewaretoken": token, "username": "demo", "password": password}
        ).encode()
        request = urllib.request.Request(
            f"{base}/admin/login/?next=/admin/", data=form, headers={"Referer": base}
        )
        answer = opener.open(request, timeout=10)  # a POST: writes the session
        assert answer.url.endswith("/admin/")
        assert "demo" in answer.read().decode()

        _askfirst(
            env,
            "shell",
            "-c",
            "from askfirst.contacts.models import Contact;"
            "from askfirst.contacts.services import contact_choose_language;"
            "from django.contrib.auth.models import User;"
            "contact_choose_language(contact=Contact.objects.get(email='anna.schmidt@example.de'),"
            " language='de', user=User.objects.get(username='demo'))",
        )
        deadline = time.monotonic() + 30
        subjects = ""
        while time.monotonic() < deadline and "Daten" not in subjects:
            time.sleep(1)
            subjects = _askfirst(
                env,
                "shell",
                "-c",
                "from askfirst.mail.models import DemoMail;"
                "print(list(DemoMail.objects.values_list('subject', flat=True)))",
            ).stdout
        assert "Daten" in subjects, subjects
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(30)
