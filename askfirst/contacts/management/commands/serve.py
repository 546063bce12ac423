import threading

from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Serve askfirst with granian (WSGI) on the given address, with the worker built in."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--workers", type=int, default=1)
        parser.add_argument(
            "--threads",
            type=int,
            default=4,
            help="Threads per worker process (a few: hundreds only add contention).",
        )
        parser.add_argument(
            "--no-worker",
            action="store_true",
            help="Do not run the mail worker in this process (run `askfirst worker` instead).",
        )
        parser.add_argument(
            "--demo-smtp",
            action="store_true",
            help="Send mail to an in-process demo mailbox (readable in the admin).",
        )

    def handle(self, *args, host: str, port: int, workers: int, threads: int, **options):
        from granian import Granian
        from granian.constants import Interfaces

        if not options["no_worker"]:
            self._start_worker(demo=options["demo_smtp"])
        self.stdout.write(f"askfirst on http://{host}:{port}/ (Ctrl+C stops)")
        Granian(
            "askfirst.wsgi:application",
            address=host,
            port=port,
            interface=Interfaces.WSGI,
            workers=workers,
            blocking_threads=threads,
        ).serve()

    def _start_worker(self, *, demo: bool) -> None:
        from askfirst.lifecycle.worker import Worker
        from askfirst.mail.delivery import SmtpTarget

        smtp = None
        if demo:
            from askfirst.mail.demo import demo_smtp_start

            demo_port = settings.ASKFIRST_DEMO_SMTP_PORT
            demo_smtp_start(host="127.0.0.1", port=demo_port)
            smtp = SmtpTarget(host="127.0.0.1", port=demo_port, timeout=10)
            self.stdout.write(f"demo mailbox on 127.0.0.1:{demo_port}: read it in the admin")
        # A daemon thread: it ends with the server (the web process owns Ctrl+C).
        worker = Worker(smtp=smtp)
        threading.Thread(target=worker.run_forever, name="askfirst-worker", daemon=True).start()
        self.stdout.write("mail worker running in this process")
