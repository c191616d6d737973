"""python manage.py export_catalogue FILE – the whole catalogue as one JSON file (see catalogue.services.backup)."""

import sys

from django.core.management.base import BaseCommand, CommandError

from catalogue.services.backup import CatalogueFileError, export_catalogue


class Command(BaseCommand):
    help = (
        "Exporte tout le catalogue (métiers, formations, vocabulaires, liens, données de recherche ; "
        "sans l’historique des imports) dans un fichier JSON que import_catalogue sait recharger."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "file", metavar="FICHIER", help="Fichier à écrire (remplacé s’il existe), ou - pour la sortie standard."
        )

    def handle(self, *args, file: str, **options) -> None:
        try:
            summary = export_catalogue(destination=sys.stdout if file == "-" else file)
        except CatalogueFileError as error:
            raise CommandError(f"Export impossible. {error}") from error
        except OSError as error:
            raise CommandError(f"Écriture impossible de « {file} » : {error.strerror}.") from error
        if file == "-":
            return
        self.stdout.write(f"Catalogue exporté dans {file} – {summary.as_text()}")
