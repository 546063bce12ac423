import ctypes
import signal
import subprocess
import sys

from django.core.management.base import BaseCommand

PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:
    # Linux: the worker gets SIGTERM when `serve` dies, even by SIGKILL.
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


class Command(BaseCommand):
    help = "Serve askfirst with granian (WSGI) on the given address, with the worker built in."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--workers", type=int, default=1)
        # Two: a request that sleeps (the fresh-link answer is padded to 0.35 s)
        # leaves the other thread serving; more threads only contend for the GIL
        # (docs/portal.md, Benchmark: with 4, higher p99 and fewer consent POSTs).
        parser.add_argument(
            "--threads",
            type=int,
            default=2,
            help="Threads per worker process (default 2; more only add contention).",
        )
        parser.add_argument(
            "--no-worker",
            action="store_true",
            help="Do not run the mail worker alongside (run `askfirst worker` instead).",
        )
        parser.add_argument(
            "--demo-smtp",
            action="store_true",
            help="Send mail to an in-process demo mailbox (readable in the admin).",
        )

    def handle(self, *args, host: str, port: int, workers: int, threads: int, **options):
        from granian import Granian
        from granian.constants import Interfaces

        # The worker runs in a child process, not a thread: granian forks its
        # web processes, and a fork taken while another thread holds Python's
        # import lock leaves the child waiting for it forever.
        worker = None
        if not options["no_worker"]:
            command = [sys.executable, "-m", "askfirst.cli", "worker"]
            if options["demo_smtp"]:
                command.append("--demo-smtp")
            worker = subprocess.Popen(command, preexec_fn=_die_with_parent)  # noqa: PLW1509
            self.stdout.write("mail worker running beside the web server")
        self.stdout.write(f"askfirst on http://{host}:{port}/ (Ctrl+C stops)")
        try:
            Granian(
                "askfirst.wsgi:application",
                address=host,
                port=port,
                interface=Interfaces.WSGI,
                workers=workers,
                blocking_threads=threads,
            ).serve()
        finally:
            if worker is not None:
                worker.terminate()
                worker.wait(30)
