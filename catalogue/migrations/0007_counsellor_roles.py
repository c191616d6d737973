"""The single "Conseillers d'orientation" group becomes three roles (catalogue.permissions).

Its members become Rédacteurs: they keep editing, and a Validateur (or an Administrateur giving
them the role) decides who publishes. Permissions are set by sync_counsellor_groups after migrate.
"""

from django.db import migrations

OLD_GROUP = "Conseillers d'orientation"
ROLES = ["Rédacteurs", "Validateurs", "Administrateurs"]


def split_group(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    groups = {name: Group.objects.get_or_create(name=name)[0] for name in ROLES}
    old = Group.objects.filter(name=OLD_GROUP).first()
    if old is not None:
        groups["Rédacteurs"].user_set.add(*old.user_set.all())
        old.delete()


def merge_groups(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    old, _ = Group.objects.get_or_create(name=OLD_GROUP)
    old.permissions.set(apps.get_model("auth", "Permission").objects.filter(content_type__app_label="catalogue"))
    for group in Group.objects.filter(name__in=ROLES):
        if group.name != "Administrateurs":
            old.user_set.add(*group.user_set.all())
        group.delete()


class Migration(migrations.Migration):
    dependencies = [("catalogue", "0006_workflow")]

    operations = [migrations.RunPython(split_group, merge_groups)]
