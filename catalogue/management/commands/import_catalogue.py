"""python manage.py import_catalogue FILE [--replace] – reload an export_catalogue file, all or nothing."""

from django.core.management.base import BaseCommand, CommandError

from catalogue.services.backup import CatalogueFileError, import_catalogue


class Command(BaseCommand):
    help = (
        "Remplace tout le catalogue par le contenu d’un fichier écrit par export_catalogue, tout ou rien. "
        "Sans --replace, refuse si le catalogue contient déjà des métiers ou des formations."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", metavar="FICHIER", help="Fichier écrit par export_catalogue.")
        parser.add_argument(
            "--replace",
            action="store_true",
            help="Confirme le remplacement d’un catalogue qui n’est pas vide (l’historique des imports qui "
            "pointe vers les fiches remplacées est supprimé avec elles).",
        )

    def handle(self, *args, file: str, replace: bool, **options) -> None:
        try:
            summary = import_catalogue(path=file, replace=replace)
        except CatalogueFileError as error:
            raise CommandError(f"Import refusé, rien n’a été modifié. {error}") from error
        self.stdout.write(f"Catalogue importé depuis {file} – {summary.as_text()}")
