"""python manage.py import_sheets PATH [PATH ...] – load job sheets written in the catalogue's format."""

from django.core.management.base import BaseCommand, CommandError

from catalogue.importers.sheets import import_sheets


class Command(BaseCommand):
    help = (
        "Importe des fiches métiers au format du catalogue (fichiers .md, ou dossiers parcourus récursivement). "
        "Tout ou rien : une fiche invalide annule l’import entier."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", metavar="CHEMIN", help="Fichier .md ou dossier de fiches.")
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Vérifie les fiches et compte ce qui changerait, sans rien enregistrer.",
        )

    def handle(self, *args, paths: list[str], dry_run: bool, verbosity: int, **options) -> None:
        report = import_sheets(paths, dry_run=dry_run)
        for warning in report.warnings:
            self.stdout.write(self.style.WARNING(f"Avertissement – {warning}"))
        for error in report.errors:
            self.stderr.write(self.style.ERROR(f"Erreur – {error}"))
        if verbosity >= 2 and report.ok:
            for label, ids in (("créée", report.created), ("mise à jour", report.updated)):
                for onisep_id in ids:
                    self.stdout.write(f"{onisep_id} : {label}")
        self.stdout.write(report.summary())
        if not report.ok:
            raise CommandError("Import annulé : aucune fiche n’a été enregistrée. Corrigez les erreurs ci-dessus.")
