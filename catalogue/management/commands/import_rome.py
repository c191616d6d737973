from django.core.management.base import BaseCommand, CommandError

from catalogue.importers.rome import RomeImportError, import_rome


class Command(BaseCommand):
    help = "Charge le référentiel ROME de France Travail (codes et appellations) ; tout ou rien, relançable."

    def add_arguments(self, parser):
        parser.add_argument("path", help="Dossier du référentiel ROME (ou l’un de ses fichiers CSV).")
        parser.add_argument("--dry-run", action="store_true", help="Affiche ce qui changerait sans rien écrire.")

    def handle(self, *args, path: str, dry_run: bool, **options):
        try:
            report = import_rome(path, dry_run=dry_run)
        except RomeImportError as error:
            raise CommandError(f"Import ROME refusé, rien n’a été modifié. {error}") from error
        self.stdout.write(report.summary())
