from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "Orientation – espace des conseillers"
admin.site.site_title = "Orientation"
admin.site.index_title = "Catalogue des métiers"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("catalogue.urls")),
]
