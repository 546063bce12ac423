import re
from datetime import timedelta

from django.core.management.base import BaseCommand
from django.db import connection

from askfirst.contacts.services import database_scrub, scrub_schedule
from askfirst.intake.retention import rejects_expire

RETRY_AFTER = timedelta(minutes=10)
_KEPT = re.compile(r"(\d+) dead row versions cannot be removed yet")


class KeptRows:
    """Counts the dead rows PostgreSQL reports it had to keep (VACUUM VERBOSE notices)."""

    def __init__(self) -> None:
        self.count = 0

    def notice(self, diagnostic) -> None:
        match = _KEPT.search(diagnostic.message_detail or "")
        if match:
            self.count += int(match.group(1))


class Command(BaseCommand):
    help = (
        "Remove what erased people left in the database files: a WAL checkpoint on "
        "SQLite; VACUUM FULL of every table on PostgreSQL "
        "(plain VACUUM only marks dead rows reusable, their bytes stay). Run daily."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--light",
            action="store_true",
            help="PostgreSQL: plain VACUUM (no exclusive lock; bytes of dead rows may stay).",
        )

    def handle(self, *args, light: bool = False, **options):
        blanked = rejects_expire()
        self.stdout.write(f"Rejected import rows past retention blanked in {blanked} import(s).")
        if connection.vendor != "postgresql":
            if database_scrub():
                self.stdout.write("SQLite: write-ahead log checkpointed and truncated.")
            else:
                self.stderr.write(
                    "SQLite: a reader still uses the write-ahead log, so it could not be "
                    "truncated; scrub scheduled again shortly."
                )
            return
        if connection.in_atomic_block:
            self.stdout.write("PostgreSQL: inside a transaction, VACUUM skipped.")
            return
        # Every table: personal data sits in many (contacts, ledger evidence,
        # outbox bodies, sessions, admin log, import rejects), and a table
        # without dead rows is rewritten quickly.
        tables = connection.introspection.table_names()
        command = "VACUUM (VERBOSE)" if light else "VACUUM (FULL, VERBOSE)"
        kept = KeptRows()
        connection.ensure_connection()
        connection.connection.add_notice_handler(kept.notice)
        try:
            with connection.cursor() as cursor:
                for table in tables:
                    cursor.execute(f"{command} {connection.ops.quote_name(table)}")
                cursor.execute("CHECKPOINT")
        finally:
            connection.connection.remove_notice_handler(kept.notice)
        self.stdout.write(f"PostgreSQL: {command} of {len(tables)} tables done.")
        if kept.count:
            # A transaction older than the erasure (in any database of the
            # cluster) still sees those rows, so they could not go yet.
            scrub_schedule(delay=RETRY_AFTER)
            self.stderr.write(
                f"{kept.count} dead row(s) are still visible to an open transaction and "
                f"stay for now; scrub scheduled again in {RETRY_AFTER}."
            )
