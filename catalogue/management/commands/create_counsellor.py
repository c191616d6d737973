"""Create (or with --update, reset) a counsellor's account: staff, with one or two roles."""

import getpass
import os

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from catalogue.permissions import ROLES
from catalogue.services.accounts import (
    CounsellorExistsError,
    check_counsellor_identity,
    check_counsellor_password,
    check_roles,
    save_counsellor,
    username_taken,
)

PASSWORD_ENV = "DJANGO_COUNSELLOR_PASSWORD"


class Command(BaseCommand):
    help = (
        "Crée le compte d’un conseiller d’orientation (accès à l’administration du catalogue, sans être "
        f"superutilisateur). Le mot de passe est demandé deux fois, ou lu dans la variable {PASSWORD_ENV}."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username", help="Nom d’utilisateur du conseiller.")
        parser.add_argument("--email", default="", help="Adresse électronique (facultative).")
        parser.add_argument(
            "--no-input",
            "--noinput",
            action="store_false",
            dest="interactive",
            help=f"Ne rien demander : le mot de passe est lu dans la variable d’environnement {PASSWORD_ENV}.",
        )
        parser.add_argument(
            "--role",
            action="append",
            dest="roles",
            choices=list(ROLES),
            help="Rôle du compte (redacteur par défaut) ; répéter pour ajouter administrateur à un autre rôle.",
        )
        parser.add_argument(
            "--update",
            action="store_true",
            help="Si le compte existe, lui donner ce mot de passe et le remettre dans le groupe au lieu d’échouer.",
        )

    def handle(
        self, *args, username: str, email: str, interactive: bool, update: bool, roles: list[str] | None, **options
    ) -> None:
        roles = roles or ["redacteur"]
        try:
            check_roles(roles)
            check_counsellor_identity(username=username, email=email)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        if not update and username_taken(username=username):
            raise CommandError(self.exists_message(username))
        password = os.environ.get(PASSWORD_ENV, "")
        if not password:
            if not interactive:
                raise CommandError(
                    f"--no-input : indiquez le mot de passe dans la variable d’environnement {PASSWORD_ENV}."
                )
            password = self.ask_password(username=username, email=email)
        try:
            account = save_counsellor(username=username, password=password, email=email, update=update, roles=roles)
        except CounsellorExistsError:
            raise CommandError(self.exists_message(username)) from None
        except ValidationError as error:
            raise CommandError("Mot de passe refusé : " + " ".join(error.messages)) from None
        groups = ", ".join(f"« {ROLES[role]} »" for role in sorted(set(roles)))
        if account.created:
            message = f"Conseiller « {username} » créé, rôle {groups}."
        else:
            message = f"Conseiller « {username} » mis à jour : nouveau mot de passe, rôle {groups}."
        self.stdout.write(self.style.SUCCESS(message))

    def exists_message(self, username: str) -> str:
        return f"L’utilisateur « {username} » existe déjà : ajoutez --update pour changer son mot de passe."

    def ask_password(self, *, username: str, email: str) -> str:
        """Ask twice until both entries match and the validators accept the password."""
        try:
            while True:
                password = getpass.getpass("Mot de passe : ")
                if not password:
                    self.stderr.write("Le mot de passe ne peut pas être vide.")
                    continue
                if password != getpass.getpass("Mot de passe (encore) : "):
                    self.stderr.write("Les deux mots de passe ne correspondent pas.")
                    continue
                try:
                    check_counsellor_password(username=username, password=password, email=email)
                except ValidationError as error:
                    self.stderr.write("Mot de passe refusé : " + " ".join(error.messages))
                    continue
                return password
        except (KeyboardInterrupt, EOFError):
            raise CommandError("Opération annulée.") from None
