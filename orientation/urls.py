from django.contrib import admin
from django.urls import include, path

from catalogue import site_views

admin.site.site_header = "Orientation – espace des conseillers"
admin.site.site_title = "Orientation"
admin.site.index_title = "Catalogue des métiers"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("healthz", site_views.healthz, name="healthz"),
    path("mentions-legales/", site_views.LegalNoticeView.as_view(), name="legal-notice"),
    path("sources-et-licences/", site_views.SourcesView.as_view(), name="sources"),
    path("accessibilite/", site_views.AccessibilityView.as_view(), name="accessibility"),
    path("", include("catalogue.urls")),
]
