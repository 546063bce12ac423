"""Benchmark the portal's consent page against a hello-world view.

    .venv/bin/python bench/portal.py [--contacts 100000] [--seconds 10] [--connections 16]
                                     [--servers granian,gunicorn] [--database-url URL]
                                     [--granian-threads 2[,1,4…]]

A fresh database (SQLite under a temporary ASKFIRST_VAR_DIR, or --database-url)
gets N contacts; sessions for a few hundred of them are made directly in the
session store. Each server runs the production settings (ASKFIRST_PRODUCTION=1,
no TLS redirect, ASKFIRST_DEBUG unset) with 2 worker processes (granian with
--granian-threads request threads each, gunicorn's sync workers one request each;
several thread counts, say 1,2,4, run granian once per count in the same run, so
they can be compared under the same conditions); wrk (apt package wrk) then measures:

  hello         GET of a view that returns "hello" (the floor: WSGI + middleware)
  consent GET   GET /portal/consent/ with a live portal session
  consent POST  POST /portal/consent/ alternating grant / withdraw of the newsletter
                across the sessions (each a ledger event, hash chain, state row)

and prints requests per second, the 99th percentile latency of each, and the rate
as a share of hello's. The browser of a person in the portal holds both the session
and the CSRF cookie, so every request sends both. Non-2xx/3xx answers are counted
and shown: a POST refused (CSRF 403, stale text 409) would be cheap.
"""

import argparse
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
SECRET = "bench-" + "Zq8vR2mX9pL4tW7yB1nC6dF0gH5jK3sA" * 2
SESSIONS = 400  # per server
WRK_THREADS = 2
CSRF = "b" * 32  # an unmasked CSRF secret is also a valid form token

BENCH_SETTINGS = """
from askfirst.settings import *  # noqa: F403
ROOT_URLCONF = "bench_urls"
LOGGING = {"version": 1, "disable_existing_loggers": True, "root": {"level": "ERROR"}}
"""
BENCH_URLS = """
from django.http import HttpResponse
from django.urls import include, path


def hello(request):
    return HttpResponse("hello")


urlpatterns = [path("hello/", hello), path("", include("askfirst.urls"))]
"""
# Each wrk thread takes its own share of the sessions and cycles through it, so
# that every POST changes something: grant for all of them, then withdraw, and so on.
POST_LUA = """
local sessions = {%(sessions)s}
local threads = %(threads)d
local counter = 0
function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
end
local n = 0
request = function()
  local per = math.floor(#sessions / threads)
  local s = sessions[id + 1 + (n %% per) * threads]
  local decision = (math.floor(n / per) %% 2 == 0) and "grant" or "withdraw"
  n = n + 1
  local body = "csrfmiddlewaretoken=%(csrf)s&purpose=newsletter&text=%(text)s&decision=" .. decision
  return wrk.format("POST", "/portal/consent/", {
    ["Cookie"] = "%(session_cookie)s=" .. s .. "; %(csrf_cookie)s=%(csrf)s",
    ["Content-Type"] = "application/x-www-form-urlencoded",
  }, body)
end
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def environment(var_dir: Path, pythonpath: Path, database_url: str) -> dict[str, str]:
    env = {
        **os.environ,
        "PYTHONPATH": f"{pythonpath}{os.pathsep}{ROOT}",
        "DJANGO_SETTINGS_MODULE": "bench_settings",
        "ASKFIRST_PRODUCTION": "1",
        "ASKFIRST_SSL_REDIRECT": "0",
        "ASKFIRST_SECRET_KEY": SECRET,
        "ASKFIRST_VAR_DIR": str(var_dir),
        "ASKFIRST_LOG_LEVEL": "ERROR",
        # Production refuses the shipped examples and a local SITE_URL; nothing
        # here is ever mailed or opened.
        "ASKFIRST_SITE_URL": "https://portal.askfirst-bench.eu",
        "ASKFIRST_ALLOWED_HOSTS": "127.0.0.1,localhost,portal.askfirst-bench.eu",
        "ASKFIRST_COMPANY_NAME": "Bench GmbH",
        "ASKFIRST_COMPANY_ADDRESS": "Benchstraße 1, 10115 Berlin, Deutschland",
        "ASKFIRST_PRIVACY_CONTACT": "privacy@askfirst-bench.eu",
        "ASKFIRST_MAIL_FROM": "Bench GmbH <privacy@askfirst-bench.eu>",
        "ASKFIRST_MAIL_REPLY_TO": "privacy@askfirst-bench.eu",
    }
    env.pop("DATABASE_URL", None)
    if database_url:
        env["DATABASE_URL"] = database_url
    return env


def prepare(contacts: int, sessions: int) -> dict[str, str]:
    """Runs in a child process with the bench environment: fill the database."""
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.utils import timezone

    from askfirst.consent.models import Purpose
    from askfirst.consent.services import Proof, consent_record, consent_text_current
    from askfirst.contacts.models import Contact
    from askfirst.portal import access
    from askfirst.portal.session_store import SessionStore

    call_command("migrate", verbosity=0)
    Contact.objects.all().delete()
    started = time.perf_counter()
    batch = []
    for n in range(contacts):
        email = f"bench.person{n}@example.org"
        batch.append(
            Contact(
                email=email,
                email_key=email,
                first_name="Bench",
                last_name=f"Person {n}",
                city="Köln",
                source="import",
                mail_language="en",
            )
        )
        if len(batch) == 5000:
            Contact.objects.bulk_create(batch)
            batch = []
    Contact.objects.bulk_create(batch)
    print(f"  {contacts} contacts in {time.perf_counter() - started:.1f} s", file=sys.stderr)

    now = timezone.now().timestamp()
    keys = []
    for contact in Contact.objects.order_by("?")[:sessions]:
        consent_record(
            contact=contact, purpose_key="storage", granted=True, proof=Proof(channel="import")
        )
        store = SessionStore()
        store[access.CONTACT] = contact.pk
        store[access.VIA] = "link"
        store[access.PROVEN_AT] = now
        store[access.GENERATION] = 0
        store[access.TOKEN_HASH] = ""
        store.create()
        keys.append(store.session_key)
    text = consent_text_current(purpose=Purpose.objects.get(key="newsletter"), language="en")
    return {
        "sessions": ",".join(keys),
        "text": str(text.pk) if text else "",
        "session_cookie": settings.SESSION_COOKIE_NAME,
        "csrf_cookie": settings.CSRF_COOKIE_NAME,
    }


def ledger_events() -> int:
    """Runs in a child process with the bench environment."""
    import django

    django.setup()
    from askfirst.consent.models import ConsentEvent

    return ConsentEvent.objects.count()


def start_server(kind: str, port: int, env: dict[str, str], threads: int) -> subprocess.Popen:
    if kind == "granian":
        command = [
            str(BIN / "granian"),
            "--interface",
            "wsgi",
            "--workers",
            "2",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--no-ws",
            "--blocking-threads",
            str(threads),
            "askfirst.wsgi:application",
        ]
    else:
        command = [
            str(BIN / "gunicorn"),
            "--workers",
            "2",
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "error",
            "askfirst.wsgi:application",
        ]
    # A file, not a pipe: a pipe nobody reads fills up and stalls the server.
    log = open(Path(env["ASKFIRST_VAR_DIR"]).parent / f"{kind}-{threads}.log", "ab")  # noqa: SIM115
    process = subprocess.Popen(command, env=env, cwd=ROOT, stdout=log, stderr=log)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return process
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError(f"{kind} did not start; see {log.name}")


def wrk(
    url: str, seconds: int, connections: int, headers=(), script: Path | None = None
) -> tuple[float, str, dict]:
    command = ["wrk", f"-t{WRK_THREADS}", f"-c{connections}", f"-d{seconds}s", "--latency"]
    for header in headers:
        command += ["-H", header]
    if script:
        command += ["-s", str(script)]
    output = subprocess.run(command + [url], capture_output=True, text=True, check=True).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    p99 = re.search(r"^\s+99%\s+(\S+)", output, re.MULTILINE).group(1)
    codes = {}
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    codes["non-2xx/3xx"] = int(non2xx.group(1)) if non2xx else 0
    return rate, p99, codes


def _sanity(base: str, cookie: str) -> None:
    """The session must really open the page (a redirect to the start would be cheap)."""
    import urllib.request

    name, value = cookie.split(": ", 1)
    request = urllib.request.Request(base + "/portal/consent/", headers={name: value})
    with urllib.request.urlopen(request) as response:  # noqa: S310 (our own server)
        body = response.read().decode()
        assert response.status == 200 and "/portal/consent/" in response.url, response.url
        assert 'name="decision"' in body


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--contacts", type=int, default=100_000)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--servers", default="granian,gunicorn")
    parser.add_argument("--database-url", default="")
    parser.add_argument(
        "--granian-threads",
        default="2",
        help="request threads per granian worker (askfirst serve's default); 1,2,4 runs each",
    )
    parser.add_argument("--prepare", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--sessions", type=int, default=SESSIONS, help=argparse.SUPPRESS)
    parser.add_argument("--events", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.prepare:
        import json

        print(json.dumps(prepare(args.contacts, args.sessions)))
        return
    if args.events:
        print(ledger_events())
        return
    if not shutil.which("wrk"):
        sys.exit("wrk is missing: apt-get install wrk")

    work = Path(tempfile.mkdtemp(prefix="askfirst-bench-portal-"))
    (work / "bench_settings.py").write_text(BENCH_SETTINGS)
    (work / "bench_urls.py").write_text(BENCH_URLS)
    env = environment(work / "var", work, args.database_url)
    print(f"preparing {args.contacts} contacts ({args.database_url or 'SQLite'}) …")
    import json

    def child(*options: str) -> str:
        command = [sys.executable, __file__, *options]
        return subprocess.run(
            command, env=env, cwd=ROOT, stdout=subprocess.PIPE, text=True, check=True
        ).stdout

    threads = [int(count) for count in args.granian_threads.split(",")]
    # (label, kind, threads): granian once per thread count asked for.
    servers = [
        (kind if kind != "granian" or len(threads) == 1 else f"granian/{count}", kind, count)
        for kind in args.servers.split(",")
        for count in (threads if kind == "granian" else [1])
    ]
    # Each server gets sessions of its own: a person's newsletter state is then
    # known when its POSTs start (not answered), so the first POST grants.
    prepared = json.loads(
        child(
            "--prepare",
            "--contacts",
            str(args.contacts),
            "--sessions",
            str(SESSIONS * len(servers)),
        )
    )
    all_sessions = prepared["sessions"].split(",")
    print(
        f"\n{'server':10} {'endpoint':14} {'req/s':>9} {'of hello':>9} {'p99':>10}  notes"
        f"\n{'-' * 10} {'-' * 14} {'-' * 9} {'-' * 9} {'-' * 10}  -----"
    )
    try:
        for number, (label, kind, count) in enumerate(servers):
            sessions = all_sessions[number * SESSIONS : (number + 1) * SESSIONS]
            script = work / f"post-{number}.lua"
            script.write_text(
                POST_LUA
                % {
                    "sessions": ",".join(f'"{key}"' for key in sessions),
                    "threads": WRK_THREADS,
                    "csrf": CSRF,
                    "text": prepared["text"],
                    "session_cookie": prepared["session_cookie"],
                    "csrf_cookie": prepared["csrf_cookie"],
                }
            )
            cookie = (
                f"Cookie: {prepared['session_cookie']}={sessions[0]}; "
                f"{prepared['csrf_cookie']}={CSRF}"
            )
            port = free_port()
            server = start_server(kind, port, env, count)
            base = f"http://127.0.0.1:{port}"
            try:
                _sanity(base, cookie)
                # Warm both workers (imports, template loading, connections).
                wrk(base + "/portal/consent/", 2, 4, headers=[cookie])
                runs = [
                    ("hello", "/hello/", [], None),
                    ("consent GET", "/portal/consent/", [cookie], None),
                    ("consent POST", "", [], script),
                ]
                hello = 0.0
                for name, path, headers, lua in runs:
                    before = int(child("--events")) if lua else 0
                    rate, p99, codes = wrk(
                        base + path, args.seconds, args.connections, headers=headers, script=lua
                    )
                    note = f"{codes['non-2xx/3xx']} non-2xx/3xx" if codes["non-2xx/3xx"] else ""
                    if lua:
                        written = int(child("--events")) - before
                        note = f"{written / args.seconds:.0f} ledger events/s {note}"
                    if note:
                        log = work / f"{kind}-{count}.log"
                        errors = log.read_text(errors="replace").splitlines()
                        last = [line for line in errors if "Error" in line][-1:]
                        note += f" ({last[0][:80]})" if last else ""
                    hello = hello or rate
                    share = f"{rate / hello:.0%}"
                    print(
                        f"{label:10} {name:14} {rate:9.0f} {share:>9} {p99:>10}  {note}", flush=True
                    )
            finally:
                server.terminate()
                server.wait(timeout=10)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
