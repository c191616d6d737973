from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from catalogue import site_views

# A counsellor who forgot their password gets a link by e-mail (the admin's login page links here
# as soon as `admin_password_reset` exists). Django's admin ships the French templates.
password_reset = [
    path("admin/mot-de-passe-oublie/", auth_views.PasswordResetView.as_view(), name="admin_password_reset"),
    path("admin/mot-de-passe-oublie/envoye/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "admin/reinitialisation/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "admin/reinitialisation/terminee/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
]

urlpatterns = [
    *password_reset,
    path("admin/", admin.site.urls),
    path("healthz", site_views.healthz, name="healthz"),
    path("mentions-legales/", site_views.LegalNoticeView.as_view(), name="legal-notice"),
    path("sources-et-licences/", site_views.SourcesView.as_view(), name="sources"),
    path("accessibilite/", site_views.AccessibilityView.as_view(), name="accessibility"),
    path("", include("catalogue.urls")),
]
