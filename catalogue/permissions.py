"""Counsellors' roles: three groups and the permissions each one holds.

- Rédacteurs edit the catalogue and submit records for review; they cannot publish or import
  spreadsheets.
- Validateurs also publish and unpublish, import spreadsheets and work through the review queue.
- Administrateurs manage counsellors' accounts (users, not the catalogue); a person can hold
  this role and one of the two others.

`sync_counsellor_groups` runs after every migrate, so that a model added later is editable by
the roles at once (Django creates the permissions themselves the same way).
"""

from django.contrib.auth.models import Group, Permission
from django.db.models import Q, QuerySet

EDITORS_GROUP = "Rédacteurs"
REVIEWERS_GROUP = "Validateurs"
ACCOUNT_MANAGERS_GROUP = "Administrateurs"

# Role names accepted by `create_counsellor --role`, and their group.
ROLES = {
    "redacteur": EDITORS_GROUP,
    "validateur": REVIEWERS_GROUP,
    "administrateur": ACCOUNT_MANAGERS_GROUP,
}

# Catalogue permissions that only Validateurs hold (an ONISEP import, `add_importrun`, publishes records).
REVIEWER_ONLY = (
    "publish_job",
    "publish_training",
    "import_job",
    "import_training",
    "import_interest",
    "add_importrun",
)
ACCOUNT_PERMISSIONS = ("add_user", "change_user", "delete_user", "view_user", "view_group")


def role_permissions(group_name: str) -> QuerySet[Permission]:
    catalogue = Permission.objects.filter(content_type__app_label="catalogue")
    if group_name == EDITORS_GROUP:
        return catalogue.exclude(codename__in=REVIEWER_ONLY)
    if group_name == REVIEWERS_GROUP:
        return catalogue
    if group_name == ACCOUNT_MANAGERS_GROUP:
        return Permission.objects.filter(Q(content_type__app_label="auth") & Q(codename__in=ACCOUNT_PERMISSIONS))
    raise ValueError(f"Unknown counsellors' group: {group_name}")


def sync_counsellor_groups(**kwargs) -> None:
    for group_name in ROLES.values():
        group, _ = Group.objects.get_or_create(name=group_name)
        group.permissions.set(role_permissions(group_name))


def role_group(role: str) -> Group:
    group = Group.objects.filter(name=ROLES[role]).first()
    if group is None:
        sync_counsellor_groups()
        group = Group.objects.get(name=ROLES[role])
    return group


def can_publish(user, model) -> bool:
    return user.has_perm(f"{model._meta.app_label}.publish_{model._meta.model_name}")
