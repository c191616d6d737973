"""manage.py import_onisep --jobs PATH --trainings PATH [--dry-run] [--export-date AAAA-MM-JJ]"""

from datetime import date

from django.core.management.base import BaseCommand, CommandError, CommandParser

from catalogue.importers.onisep import OnisepImportError, import_onisep


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as error:
        raise CommandError(f"Date d’export invalide « {value} » : attendu AAAA-MM-JJ.") from error


class Command(BaseCommand):
    help = "Importe un export ONISEP Idéo (fiches métiers et/ou fiches formations), tout ou rien."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--jobs", metavar="PATH", help="Fiches métiers : le .zip de l’export ou le .xml qu’il contient."
        )
        parser.add_argument(
            "--trainings", metavar="PATH", help="Fiches formations : le .zip de l’export ou le .xml qu’il contient."
        )
        parser.add_argument("--dry-run", action="store_true", help="Montre ce qui changerait, sans rien enregistrer.")
        parser.add_argument(
            "--export-date",
            type=_date,
            metavar="AAAA-MM-JJ",
            help="Date de l’export, si le nom du fichier ne la donne pas (…_25062024.zip).",
        )

    def handle(self, *args, jobs=None, trainings=None, dry_run=False, export_date=None, **options) -> None:
        if not jobs and not trainings:
            raise CommandError("Indiquez --jobs et/ou --trainings.")
        progress = self._progress if self.stdout.isatty() else None
        try:
            report = import_onisep(
                jobs_path=jobs, trainings_path=trainings, dry_run=dry_run, export_date=export_date, progress=progress
            )
        except OnisepImportError as error:
            raise CommandError(str(error)) from error
        finally:
            if progress is not None:
                self.stdout.write("\r\033[K", ending="")
        self.stdout.write(report.as_text(), ending="")

    def _progress(self, message: str) -> None:
        self.stdout.write(f"\r\033[K{message}", ending="")
        self.stdout.flush()
