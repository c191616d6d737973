from django.apps import AppConfig
from django.db.models.signals import post_migrate


class CatalogueConfig(AppConfig):
    name = "catalogue"
    verbose_name = "Catalogue des métiers"

    def ready(self) -> None:
        from catalogue.permissions import sync_counsellor_group

        post_migrate.connect(sync_counsellor_group, sender=self, dispatch_uid="catalogue_sync_counsellor_group")
