"""Benchmark the contact import against the databases' own bulk loaders.

    .venv/bin/python bench/import.py [--rows N] [--databases sqlite,postgresql]

Generates one CSV of N contacts, then per database: a fresh database with
migrations, askfirst's import (the import-csv code path, in a child process
so its peak RSS is its own), the same import again (every row unchanged), and
the raw reference on the same file: sqlite3's `.import` / PostgreSQL's COPY
into a table with a unique index on the address.

A third figure shows what the contacts table itself costs: the rows askfirst
stored, exported and loaded again by the database's own loader (sqlite3
`.import`, COPY) into an empty table with the same columns and indexes. No
import that writes this table can beat it; askfirst's own time above it is
parsing, validation and the round trips.
"""

import argparse
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
PG_URL = os.environ.get("BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432/askfirst_bench")
COLUMNS = ["email", "first name", "last name", "company", "phone", "city", "country"]
FIRST = ["Erika", "Max", "Anna", "Jürgen", "Zoë", "Luis", "Mette", "John", "Ada", "Ömer"]
# Addresses are ASCII as in real exports (juergen@, not jürgen@); names are not.
FOLD = str.maketrans({"ü": "ue", "ö": "oe", "ë": "e"})
LAST = ["Mustermann", "Müller", "Schmidt", "Smith", "García", "Nowak", "Rossi", "Øvergaard"]
CITIES = [("Köln", "Deutschland"), ("Wien", "Austria"), ("London", "UK"), ("Paris", "France")]
DOMAINS = ["example.de", "firma.com", "beispiel.at", "mail.example.org", "shop.ch"]


def generate(path: Path, rows: int) -> None:
    rng = random.Random(42)
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write(",".join(COLUMNS) + "\n")
        for n in range(rows):
            city, country = rng.choice(CITIES)
            first, last = rng.choice(FIRST), rng.choice(LAST)
            out.write(
                f"{first.lower().translate(FOLD)}.{n}@{rng.choice(DOMAINS)},{first},{last},"
                f'"{last} & Co, KG",+49 221 {n:07d},{city},{country}\n'
            )


def child(path: str) -> None:
    """Run inside a fresh process: import once, print seconds and peak RSS."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "askfirst.settings")
    import django

    django.setup()
    from askfirst.intake.report import RejectsWriter
    from askfirst.intake.services import import_file, source_open

    started = time.perf_counter()
    with open(path, "rb") as binary, open(os.devnull, "w") as devnull:
        source = source_open(binary=binary, kind="csv")
        rejects = RejectsWriter(lambda: devnull, header=source.header, owns=False)
        # As askfirst import-csv runs a file of this size: read in a second process.
        report = import_file(source=source, rejects=rejects, reader_process=True)
        source.close()
    seconds = time.perf_counter() - started
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    # The forked reader, joined by now (its RSS counts pages shared with this one).
    reader_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    print(
        json.dumps(
            {
                "seconds": seconds,
                "peak_mb": peak_kb / 1024,
                "reader_mb": reader_kb / 1024,
                "report": report.summary(),
            }
        )
    )


def askfirst(env: dict, csv_path: Path) -> dict:
    subprocess.run(
        [PYTHON, "-m", "askfirst.cli", "migrate", "--noinput", "-v0"], env=env, check=True
    )
    out = subprocess.run(
        [PYTHON, __file__, "--child", str(csv_path)],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def timed(cmd: list[str], **kwargs) -> float:
    started = time.perf_counter()
    subprocess.run(cmd, check=True, capture_output=True, **kwargs)
    return time.perf_counter() - started


REF_TABLE = (
    "CREATE TABLE ref (email text, first_name text, last_name text, company text, "
    "phone text, city text, country text); CREATE UNIQUE INDEX ref_email ON ref (email);"
)


def bench_sqlite(csv_path: Path, work: Path) -> dict:
    var = work / "sqlite"
    shutil.rmtree(var, ignore_errors=True)
    var.mkdir()
    env = {**os.environ, "ASKFIRST_VAR_DIR": str(var), "PYTHONPATH": str(ROOT)}
    env.pop("DATABASE_URL", None)
    first = askfirst(env, csv_path)
    again = askfirst(env, csv_path)
    ref_db = work / "ref.sqlite3"
    ref_db.unlink(missing_ok=True)
    subprocess.run(["sqlite3", str(ref_db), REF_TABLE], check=True)
    raw = timed(["sqlite3", str(ref_db), f".import --csv --skip 1 {csv_path} ref"])
    # The table's own cost: askfirst's rows, loaded again into an empty copy.
    db = var / "askfirst.sqlite3"
    rows_csv = work / "contacts-rows.csv"
    subprocess.run(
        ["sqlite3", "-csv", str(db), "SELECT * FROM contacts_contact"],
        check=True,
        stdout=rows_csv.open("w"),
    )
    schema = subprocess.run(
        ["sqlite3", str(db), ".schema contacts_contact"], check=True, capture_output=True, text=True
    ).stdout
    table_db = work / "table.sqlite3"
    table_db.unlink(missing_ok=True)
    subprocess.run(
        ["sqlite3", str(table_db), "CREATE TABLE auth_user (id integer PRIMARY KEY);" + schema],
        check=True,
    )
    table = timed(["sqlite3", str(table_db), f".import --csv {rows_csv} contacts_contact"])
    return {"first": first, "again": again, "raw_seconds": raw, "table_seconds": table}


def bench_postgres(csv_path: Path) -> dict:
    base, name = PG_URL.rsplit("/", 1)
    admin = f"{base}/postgres"
    subprocess.run(["psql", admin, "-qc", f"DROP DATABASE IF EXISTS {name}"], check=True)
    subprocess.run(["psql", admin, "-qc", f"CREATE DATABASE {name}"], check=True)
    env = {**os.environ, "DATABASE_URL": PG_URL, "PYTHONPATH": str(ROOT)}
    try:
        first = askfirst(env, csv_path)
        again = askfirst(env, csv_path)
        subprocess.run(["psql", PG_URL, "-qc", REF_TABLE], check=True)
        raw = timed(["psql", PG_URL, "-qc", f"\\copy ref FROM '{csv_path}' CSV HEADER"])
        # The table's own cost: askfirst's rows, loaded again into an empty copy.
        rows = csv_path.with_name("contacts-rows.copy")
        copy_out = f"\\copy (SELECT * FROM contacts_contact) TO '{rows}'"
        subprocess.run(["psql", PG_URL, "-qc", copy_out], check=True)
        like = "CREATE TABLE table_copy (LIKE contacts_contact INCLUDING ALL)"
        subprocess.run(["psql", PG_URL, "-qc", like], check=True)
        table = timed(["psql", PG_URL, "-qc", f"\\copy table_copy FROM '{rows}'"])
    finally:
        subprocess.run(["psql", admin, "-qc", f"DROP DATABASE IF EXISTS {name}"], check=False)
    return {"first": first, "again": again, "raw_seconds": raw, "table_seconds": table}


def show(db: str, rows: int, result: dict) -> None:
    first, again, raw = result["first"], result["again"], result["raw_seconds"]
    rate, raw_rate = rows / first["seconds"], rows / raw
    print(f"\n{db}: {rows:,} rows")
    print(
        f"  askfirst import   {rate:>10,.0f} rows/s  peak RSS {first['peak_mb']:.0f} MB"
        f" (its reader process: {first['reader_mb']:.0f} MB)"
    )
    print(f"    {first['report']}")
    print(
        f"  re-import         {rows / again['seconds']:>10,.0f} rows/s  peak RSS "
        f"{again['peak_mb']:.0f} MB  ({again['seconds'] / first['seconds']:.2f}x the first)"
    )
    print(f"    {again['report']}")
    print(f"  raw reference     {raw_rate:>10,.0f} rows/s")
    print(f"  askfirst / raw    {rate / raw_rate:>10.0%}  (target >= 25%)")
    table_rate = rows / result["table_seconds"]
    print(f"  same rows, database's own loader into the contacts table: {table_rate:,.0f} rows/s")
    share = f"{table_rate / raw_rate:.0%} of raw; askfirst reaches {rate / table_rate:.0%} of it"
    print(f"    ({share})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child)
        return
    with tempfile.TemporaryDirectory(prefix="askfirst-bench-") as tmp:
        work = Path(tmp)
        csv_path = work / "contacts.csv"
        generate(csv_path, args.rows)
        print(f"{csv_path.stat().st_size / 1e6:.0f} MB CSV, {args.rows:,} rows")
        for db in args.databases.split(","):
            result = bench_sqlite(csv_path, work) if db == "sqlite" else bench_postgres(csv_path)
            show(db, args.rows, result)


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main()
