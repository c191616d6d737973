from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.db.models.signals import post_migrate


class CatalogueConfig(AppConfig):
    default = True
    name = "catalogue"
    verbose_name = "Catalogue des métiers"

    def ready(self) -> None:
        from catalogue import history  # noqa: F401  (registers the models whose changes are kept)
        from catalogue.permissions import sync_counsellor_groups

        post_migrate.connect(sync_counsellor_groups, sender=self, dispatch_uid="catalogue_sync_counsellor_groups")


class CatalogueAdminConfig(admin_apps.AdminConfig):
    """django.contrib.admin with the counsellors' site: dashboard, review queue, failed searches."""

    default = False
    default_site = "catalogue.admin_site.CatalogueAdminSite"
