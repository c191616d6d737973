"""Counsellors' accounts, managed by Administrateurs without handing out more than the roles.

An Administrateur (not a superuser) sees and edits staff accounts, gives them the three roles of
catalogue.permissions and nothing else: no superuser status, no individual permissions, no other
group, no role to themselves, and superusers' accounts are out of reach.
"""

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import Group

from catalogue.permissions import ROLES

User = get_user_model()


class CounsellorUserAdmin(UserAdmin):
    list_display = ["username", "email", "first_name", "last_name", "is_active", "is_staff", "roles"]
    list_filter = ["is_active", "is_staff", "groups"]

    @admin.display(description="rôles")
    def roles(self, user) -> str:
        return ", ".join(group.name for group in user.groups.all()) or "—"

    def get_queryset(self, request):
        queryset = super().get_queryset(request).prefetch_related("groups")
        if not request.user.is_superuser:
            queryset = queryset.filter(is_superuser=False)
        return queryset

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if request.user.is_superuser or obj is None:
            return fieldsets
        limited = []
        for name, options in fieldsets:
            fields = [field for field in options["fields"] if field not in ("is_superuser", "user_permissions")]
            limited.append((name, {**options, "fields": fields}))
        return limited

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if obj is not None and obj.pk == request.user.pk and not request.user.is_superuser:
            readonly += ["groups", "is_staff", "is_active"]  # nobody gives themselves a role
        return readonly

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "groups" and not request.user.is_superuser:
            kwargs["queryset"] = Group.objects.filter(name__in=ROLES.values())
        return super().formfield_for_manytomany(db_field, request, **kwargs)


if admin.site.is_registered(User):
    admin.site.unregister(User)
admin.site.register(User, CounsellorUserAdmin)
