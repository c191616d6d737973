"""The counsellors' admin site: Django's admin plus the pages of the editorial work.

- `qualite/`: the data-quality dashboard (catalogue.admin.quality);
- `validation/`: the review queue of Validateurs (catalogue.admin.workflow);
- `genre/`: the other gendered form of a title, proposed while a counsellor types (JSON).
The index links to both, with their counts.

Kept outside the `catalogue.admin` package on purpose: Django builds this site lazily on the
first registration, and importing that package from here would register into a second copy.
"""

from django.contrib import admin
from django.urls import path


class CatalogueAdminSite(admin.AdminSite):
    site_header = "Orientation – espace des conseillers"
    site_title = "Orientation"
    index_title = "Catalogue des métiers"

    def get_urls(self):
        from catalogue.admin import quality, workflow

        own = [
            path("qualite/", self.admin_view(quality.dashboard_view), name="quality-dashboard"),
            path("validation/", self.admin_view(workflow.review_queue_view), name="review-queue"),
            path("genre/", self.admin_view(quality.gender_proposal_view), name="gender-proposal"),
        ]
        return own + super().get_urls()

    def index(self, request, extra_context=None):
        from catalogue.admin import workflow

        context = {"review_queue_size": workflow.review_queue_size(), **(extra_context or {})}
        return super().index(request, context)
