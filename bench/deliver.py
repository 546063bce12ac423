"""Benchmark: delivering the outbox to Postfix's smtp-sink, against a bare
smtplib loop sending the same pre-rendered messages over one connection.

    apt-get install -y --no-install-recommends postfix   # /usr/sbin/smtp-sink
    .venv/bin/python bench/deliver.py [--count 20000] [--database-url ...]

Target: the outbox worker reaches ≥ 50% of the bare loop's mails/s.
"""

import argparse
import shutil
import smtplib
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from lifecycle import DEFAULT_SQLITE, fresh_database, insert_contacts, setup_django  # noqa: E402


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_sink(port: int) -> subprocess.Popen:
    binary = shutil.which("smtp-sink") or "/usr/sbin/smtp-sink"
    # -c prints a counter per message: keep it off the report.
    process = subprocess.Popen(
        [binary, "-u", "nobody", "-c", f"127.0.0.1:{port}", "1000"], stdout=subprocess.DEVNULL
    )
    for _ in range(50):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return process
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("smtp-sink did not start")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database-url", default=DEFAULT_SQLITE.replace("lifecycle", "deliver"))
    parser.add_argument("--count", type=int, default=20_000)
    args = parser.parse_args()

    fresh_database(args.database_url)
    setup_django(args.database_url)
    from django.conf import settings

    from askfirst.lifecycle.services import lifecycle_advance
    from askfirst.mail.delivery import SmtpTarget, envelope_sender, mail_deliver
    from askfirst.mail.models import Outbox, OutboxState

    insert_contacts(due=args.count, total=args.count)
    while lifecycle_advance().contacts:
        pass
    messages = list(Outbox.objects.order_by("id").values_list("recipient", "message"))
    port = free_port()
    sink = start_sink(port)
    try:
        sender = envelope_sender()
        started = time.perf_counter()
        client = smtplib.SMTP("127.0.0.1", port)
        for recipient, message in messages:
            client.sendmail(sender, [recipient], message.encode("utf-8"))
        client.quit()
        bare = len(messages) / (time.perf_counter() - started)

        settings.ASKFIRST_WORKER_BATCH = 500
        target = SmtpTarget(host="127.0.0.1", port=port)
        started = time.perf_counter()
        sent = 0
        while True:
            result = mail_deliver(worker_id="bench", smtp=target)
            sent += result.sent
            if not result.claimed:
                break
        outbox = sent / (time.perf_counter() - started)
        assert sent == len(messages) == Outbox.objects.filter(state=OutboxState.SENT).count()
    finally:
        sink.terminate()
        sink.wait()
    scheme = args.database_url.split(":")[0]
    print(f"{scheme}: {len(messages):,} mails to smtp-sink")
    print(f"  bare smtplib loop, one connection: {bare:,.0f} mails/s")
    print(f"  outbox worker (claim, suppression check, send, mark): {outbox:,.0f} mails/s")
    print(f"  ratio: {outbox / bare:.0%} (target ≥ 50%)")


if __name__ == "__main__":
    main()
