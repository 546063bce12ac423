"""What import-csv and import-vcard share: open, import with a progress bar, report."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from askfirst.intake.report import RejectsWriter
from askfirst.intake.services import ImportFileError, import_file, rejects_path_for, source_open


class ImportCommand(BaseCommand):
    kind = "csv"

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--rejects",
            type=Path,
            help="Where to write the rejected rows (default: FILE.rejects.csv next to FILE).",
        )
        parser.add_argument("--no-progress", action="store_true", help="No progress bar.")

    def handle(self, *args, file: Path, rejects: Path | None, no_progress: bool, **options):
        file = Path(file)
        if not file.is_file():
            raise CommandError(f"{file} is not a file.")
        rejects_path = Path(rejects) if rejects else rejects_path_for(file)
        with file.open("rb") as binary:
            try:
                source = source_open(binary=binary, kind=self.kind)
            except ImportFileError as exc:
                raise CommandError(str(exc)) from None
            writer = RejectsWriter(
                lambda: rejects_path.open("w", encoding="utf-8-sig", newline=""),
                header=source.header,
                delimiter=getattr(source, "delimiter", ","),
            )
            size = file.stat().st_size
            bar = tqdm(
                total=size,
                unit="B",
                unit_scale=True,
                disable=no_progress or None,
                file=self.stderr._out,
            )
            try:
                report = import_file(
                    source=source,
                    rejects=writer,
                    progress=_advance(bar),
                    reader_process=size >= settings.ASKFIRST_IMPORT_READER_PROCESS_FROM,
                )
            except ImportFileError as exc:
                raise CommandError(str(exc)) from None
            finally:
                bar.close()
                writer.close()
                source.close()
        for line in report.lines():
            self.stdout.write(line)
        if writer.used:
            self.stdout.write(f"Rejected rows written to {rejects_path}")


def _advance(bar):
    def progress(done: int) -> None:
        bar.update(done - bar.n)

    return progress
