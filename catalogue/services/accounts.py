"""Counsellors' accounts: staff members holding one or two roles (catalogue.permissions), never superusers."""

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction

from catalogue.permissions import EDITORS_GROUP, REVIEWERS_GROUP, ROLES, role_group


class CounsellorExistsError(Exception):
    """The user name is taken and the caller did not ask to update that account."""


@dataclass(frozen=True)
class CounsellorAccount:
    user: AbstractBaseUser
    created: bool


def check_counsellor_password(*, username: str, password: str, email: str = "") -> None:
    """Run the project's password validators; raise ValidationError with their (French) messages.

    The user is built unsaved so that the similarity validator compares with the name and e-mail.
    """
    User = get_user_model()
    existing = User._default_manager.filter(username=username).first()
    candidate = existing or User(username=username)
    if email:
        candidate.email = email
    validate_password(password, user=candidate)


def check_counsellor_identity(*, username: str, email: str = "") -> None:
    """Validate the user name and the e-mail address; raise ValidationError."""
    User = get_user_model()
    field = User._meta.get_field(User.USERNAME_FIELD)
    if not username:
        raise ValidationError("Le nom d’utilisateur est obligatoire.")
    try:
        field.clean(username, None)
    except ValidationError as error:
        raise ValidationError([f"Nom d’utilisateur « {username} » : {message}" for message in error.messages]) from None
    if email:
        try:
            validate_email(email)
        except ValidationError:
            raise ValidationError(f"Adresse électronique invalide : « {email} ».") from None


def username_taken(*, username: str) -> bool:
    return get_user_model()._default_manager.filter(username=username).exists()


def check_roles(roles: list[str]) -> list[str]:
    """The roles, checked: known names, at least one, never both Rédacteur and Validateur."""
    unknown = [role for role in roles if role not in ROLES]
    if unknown:
        raise ValidationError(f"Rôle inconnu : « {unknown[0]} ». Rôles possibles : {', '.join(ROLES)}.")
    if not roles:
        raise ValidationError("Indiquez au moins un rôle.")
    groups = {ROLES[role] for role in roles}
    if {EDITORS_GROUP, REVIEWERS_GROUP} <= groups:
        raise ValidationError("Un compte est Rédacteur ou Validateur, pas les deux.")
    return sorted(set(roles))


def role_groups(roles: list[str]) -> list[Group]:
    return [role_group(role) for role in roles]


@transaction.atomic
def save_counsellor(
    *, username: str, password: str, email: str = "", update: bool = False, roles: list[str] | None = None
) -> CounsellorAccount:
    """Create the staff account `username` with `roles` (default: Rédacteur), or with `update`, reset it.

    Updating sets the password (and the e-mail when given), gives the account exactly these roles
    and makes it active staff again; a superuser stays one. Raises ValidationError (identity, roles
    or weak password) or CounsellorExistsError.
    """
    roles = check_roles(roles if roles is not None else ["redacteur"])
    check_counsellor_identity(username=username, email=email)
    User = get_user_model()
    user = User._default_manager.filter(username=username).first()
    if user is not None and not update:
        raise CounsellorExistsError(f"L’utilisateur « {username} » existe déjà.")
    check_counsellor_password(username=username, password=password, email=email)
    created = user is None
    if created:
        user = User(username=username)
    if email:
        user.email = email
    user.is_staff = True
    user.is_active = True
    user.set_password(password)
    user.save()
    user.groups.remove(*Group.objects.filter(name__in=ROLES.values()))
    user.groups.add(*role_groups(roles))
    return CounsellorAccount(user=user, created=created)
