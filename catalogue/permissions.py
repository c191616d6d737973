"""Counsellors' group and its permissions."""

from django.contrib.auth.models import Group, Permission

COUNSELLOR_GROUP = "Conseillers d'orientation"


def sync_counsellor_group(**kwargs) -> Group:
    """Give the counsellors' group every catalogue permission, and no other.

    Connected to post_migrate, so that a model added by a later migration is editable by
    counsellors as soon as it exists (permissions themselves are created the same way).
    """
    group, _ = Group.objects.get_or_create(name=COUNSELLOR_GROUP)
    group.permissions.set(Permission.objects.filter(content_type__app_label="catalogue"))
    return group
