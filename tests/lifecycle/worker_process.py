"""`askfirst worker` as a separate process against the test database.

Run as `python -m tests.lifecycle.worker_process worker …` with
ASKFIRST_TEST_PAUSE_DIR and ASKFIRST_TEST_PAUSE_AT_BATCH set, it is the real
command with one hook: inside batch number N (after its link tokens and mails
are written, before its steps move and it commits) it creates
`<dir>/in-batch` and waits there until the process has handled a SIGTERM, so
a test can send the signal while a batch is certainly in hand.
"""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def database_url() -> str:
    """The URL of the database the calling test uses (its test database)."""
    from django.conf import settings
    from django.db import connection

    db = settings.DATABASES["default"]
    if connection.vendor == "postgresql":
        return f"postgresql://{db['USER']}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"
    return f"sqlite:///{Path(db['NAME']).resolve()}"


def worker_process(*args: str, smtp_port: int, batch: int, **env: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "tests.lifecycle.worker_process", "worker", *args],
        cwd=ROOT,
        env={
            **os.environ,
            "DATABASE_URL": database_url(),
            "ASKFIRST_SMTP_HOST": "127.0.0.1",
            "ASKFIRST_SMTP_PORT": str(smtp_port),
            "ASKFIRST_WORKER_BATCH": str(batch),
            "ASKFIRST_WORKER_IDLE": "1s",
            "ASKFIRST_LOG_LEVEL": "WARNING",
            **env,
        },
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def _install_pause(pause_dir: Path, at_batch: int) -> None:
    from askfirst.lifecycle import services

    real_update_steps = services._update_steps
    got_sigterm = pause_dir / "got-sigterm"
    batches = 0

    def update_steps(rows):
        nonlocal batches
        batches += 1
        if batches == at_batch:
            (pause_dir / "in-batch").write_text(str(len(rows)))
            deadline = time.monotonic() + 60
            while not got_sigterm.exists() and time.monotonic() < deadline:
                time.sleep(0.01)
        real_update_steps(rows)

    services._update_steps = update_steps

    # Note when the command's own SIGTERM handler has run (it only sets a flag).
    real_signal = signal.signal

    def signal_with_note(signum, handler):
        if signum != signal.SIGTERM or not callable(handler):
            return real_signal(signum, handler)

        def noted(number, frame):
            handler(number, frame)
            got_sigterm.touch()

        return real_signal(signum, noted)

    signal.signal = signal_with_note  # type: ignore[assignment]


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "askfirst.settings")
    import django

    django.setup()
    if os.environ.get("ASKFIRST_TEST_PAUSE_DIR"):
        _install_pause(
            Path(os.environ["ASKFIRST_TEST_PAUSE_DIR"]),
            int(os.environ["ASKFIRST_TEST_PAUSE_AT_BATCH"]),
        )
    from askfirst.cli import main

    main()
