"""Benchmark: the worker advancing due contacts and writing rendered mails.

    .venv/bin/python bench/lifecycle.py                       # 100,000 due, SQLite
    .venv/bin/python bench/lifecycle.py --database-url postgresql://postgres@127.0.0.1:5432/askfirst_bench
    .venv/bin/python bench/lifecycle.py --scaling             # 10k of 10k vs 10k of 1M
    .venv/bin/python bench/lifecycle.py --scaling --repeat 3  # medians on a busy machine
    .venv/bin/python bench/lifecycle.py --batch 2000          # ASKFIRST_WORKER_BATCH (default 500)
    .venv/bin/python bench/lifecycle.py --workers 2 --database-url …  # worker processes at once

Each run starts from an empty database of its own (dropped and re-created).
Target: ≥ 5,000 mails/s; 10k due among 1M takes ≤ 1.5× the time of 10k among 10k.
"""

import argparse
import os
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DEFAULT_SQLITE = "sqlite:////tmp/askfirst-bench/lifecycle.sqlite3"


def fresh_database(url: str) -> None:
    parts = urlsplit(url)
    if parts.scheme == "sqlite":
        path = Path(parts.path)
        path.parent.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return
    import psycopg

    name = parts.path.lstrip("/")
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def setup_django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "askfirst.settings")
    os.environ.setdefault("ASKFIRST_LOG_LEVEL", "WARNING")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def insert_contacts(*, due: int, total: int) -> None:
    """`total` contacts, `due` of them due now, inserted in bulk (raw executemany)."""
    from django.db import connection, transaction
    from django.utils import timezone

    from askfirst.contacts.models import Contact

    now = timezone.now()
    field = Contact._meta.get_field("next_action_at")
    stamp = field.get_db_prep_value(now, connection)
    table = connection.ops.quote_name(Contact._meta.db_table)
    columns = (
        "email, email_key, first_name, last_name, company, position, phone, street, "
        "postal_code, city, country, kind, source, source_ref, source_language, mail_language, "
        "suggested_language, suggestion_reason, portal_language, status, lifecycle_step, "
        "asking_since, next_action_at, extranet_fields, ledger_length, ledger_head, "
        "created_at, updated_at, language_chosen_automatically"
    )
    sql = f"INSERT INTO {table} ({columns}) VALUES ({', '.join(['%s'] * 29)})"
    chunk = 20000
    with transaction.atomic(), connection.cursor() as cursor:
        for start in range(0, total, chunk):
            rows = []
            for n in range(start, min(total, start + chunk)):
                is_due = n % (total // due) == 0 and n // (total // due) < due
                address = f"person{n}@example.org"
                rows.append(
                    (
                        address, address, "Jürgen", f"Müller {n}", "Bäckerei Größe GmbH",
                        "Einkauf", "+49 30 1234567", "Hauptstraße 5", "10115", "Berlin",
                        "Deutschland", "prospect", "business_card", "", "",
                        ("de", "en", "de+en")[n % 3], "", "", "",
                        "asking" if is_due else "answered", 0,
                        stamp if is_due else None, stamp if is_due else None,
                        "[]", 0, "", stamp, stamp, False,
                    )
                )  # fmt: skip
            cursor.executemany(sql, rows)


def advance_all() -> tuple[int, float]:
    from askfirst.lifecycle.services import lifecycle_advance

    mails = 0
    started = time.perf_counter()
    while True:
        result = lifecycle_advance()
        if not result.contacts:
            break
        mails += result.mails
    return mails, time.perf_counter() - started


def advance_in_processes(url: str, workers: int) -> tuple[int, float]:
    """`workers` processes advance the same due rows at once, as `askfirst worker`
    does on several machines. Each sets Django up first and waits at a start
    line, so the time counts only the advancing."""
    import subprocess

    from django.db import connections

    connections.close_all()
    children = [
        subprocess.Popen(
            [sys.executable, __file__, "--database-url", url, "--child-advance"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )  # fmt: skip
        for _ in range(workers)
    ]
    for child in children:
        assert child.stdout is not None and child.stdout.readline().strip() == "ready"
    started = time.perf_counter()
    for child in children:
        assert child.stdin is not None
        child.stdin.write("go\n")
        child.stdin.flush()
    mails = 0
    for child in children:
        output, _ = child.communicate()
        assert child.returncode == 0, output
        mails += int(output.split()[0])
    return mails, time.perf_counter() - started


def child_advance(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "askfirst.settings")
    import django

    django.setup()
    from django.db import connection

    connection.ensure_connection()
    print("ready", flush=True)
    sys.stdin.readline()
    mails, seconds = advance_all()
    print(mails, seconds, flush=True)


def run(url: str, *, due: int, total: int, workers: int = 1) -> float:
    fresh_database(url)
    setup_django(url)
    insert_contacts(due=due, total=total)
    if workers > 1:
        mails, seconds = advance_in_processes(url, workers)
    else:
        mails, seconds = advance_all()
    assert mails == due, (mails, due)
    scheme = urlsplit(url).scheme
    rate = mails / seconds
    from django.conf import settings

    batch = settings.ASKFIRST_WORKER_BATCH
    print(
        f"{scheme}: {due:,} due of {total:,}: {seconds:.2f} s, {rate:,.0f} mails/s, batch {batch}"
        + (f", {workers} workers" if workers > 1 else "")
    )
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database-url", default=DEFAULT_SQLITE)
    parser.add_argument("--due", type=int, default=100_000)
    parser.add_argument("--total", type=int, default=0, help="contacts in all (default: --due)")
    parser.add_argument("--scaling", action="store_true", help="10k of 10k, then 10k of 1M")
    parser.add_argument("--batch", type=int, help="ASKFIRST_WORKER_BATCH for this run")
    parser.add_argument("--repeat", type=int, default=1, help="--scaling: runs of each size")
    parser.add_argument("--workers", type=int, default=1, help="worker processes at once")
    parser.add_argument("--child-advance", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child_advance:
        child_advance(args.database_url)
        return
    if args.batch:
        os.environ["ASKFIRST_WORKER_BATCH"] = str(args.batch)  # read by the subprocesses too
    if args.scaling:
        # Each in a fresh process: Django is set up once per process. With
        # --repeat, the two sizes alternate and the medians are compared (a
        # shared machine's load comes and goes).
        import statistics
        import subprocess

        times: dict[int, list[float]] = {10_000: [], 1_000_000: []}
        for _ in range(args.repeat):
            for total in times:
                output = subprocess.run(
                    [sys.executable, __file__, "--database-url", args.database_url,
                     "--due", "10000", "--total", str(total)],
                    check=True, capture_output=True, text=True,
                ).stdout  # fmt: skip
                print(output.strip())
                times[total].append(float(output.split(": ")[2].split(" s")[0]))
        small, large = (statistics.median(values) for values in times.values())
        print(f"ratio 1M / 10k: {large / small:.2f} (medians of {args.repeat}; target ≤ 1.5)")
        return
    run(args.database_url, due=args.due, total=args.total or args.due, workers=args.workers)


if __name__ == "__main__":
    main()
