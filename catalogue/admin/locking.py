"""No lost edits in the admin: the change form carries a signed snapshot of the record as loaded
(catalogue.services.locking) and a stale save is refused with what the other person changed.

The counsellor's input stays in the form; the snapshot is renewed with the refusal, so that
saving again, once they have looked at the other's changes, goes through on purpose.
"""

from django import forms
from django.core import signing
from django.core.exceptions import ValidationError
from django.utils import timezone
from reversion.models import Version

from catalogue.services import locking

SNAPSHOT_FIELD = "edit_snapshot"


def last_change(model, pk) -> str:
    version = (
        Version.objects.get_for_object_reference(model, pk).select_related("revision__user").first()
        if pk is not None
        else None
    )
    if version is None:
        return "Cette fiche a été modifiée"
    revision = version.revision
    who = revision.user.get_username() if revision.user else "un import"
    when = timezone.localtime(revision.date_created)
    return f"Cette fiche a été modifiée par {who} le {when:%d/%m/%Y à %H:%M}"


class ConcurrentEditForm(forms.ModelForm):
    edit_snapshot = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None and not self.is_bound:
            self.initial[SNAPSHOT_FIELD] = locking.sign(locking.snapshot(type(self.instance), self.instance.pk))

    def clean(self):
        cleaned_data = super().clean()
        if self.instance.pk is None or self.instance._state.adding:
            return cleaned_data
        model, pk = type(self.instance), self.instance.pk
        key = self.add_prefix(SNAPSHOT_FIELD)
        try:
            loaded = locking.unsign(self.data.get(key, ""))
        except signing.BadSignature:
            loaded = None
        current = locking.snapshot(model, pk, lock=True)
        if loaded is None:
            self._renew(key, current)
            raise ValidationError(
                "Ce formulaire ne dit pas dans quel état vous avez ouvert la fiche : rien n’a été enregistré. "
                "Vérifiez vos saisies ci-dessous puis enregistrez à nouveau.",
                code="stale",
            )
        changes = locking.stale_changes(model, loaded, current)
        if changes:
            self._renew(key, current)
            raise ValidationError(
                [
                    f"{last_change(model, pk)} pendant que vous la modifiiez : rien n’a été enregistré. "
                    "Ses changements :",
                    *(locking.describe(change) for change in changes),
                    "Vos saisies sont conservées ci-dessous. Si vous enregistrez à nouveau, elles remplaceront "
                    "ces changements : reprenez d’abord ceux que vous voulez garder.",
                ],
                code="stale",
            )
        return cleaned_data

    def _renew(self, key: str, current) -> None:
        self.data = self.data.copy()
        self.data[key] = locking.sign(current)


class ConcurrentEditMixin:
    """For ModelAdmins: the change form (not the add form) is locked optimistically."""

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is not None:
            base = kwargs.get("form", self.form)
            if not issubclass(base, ConcurrentEditForm):
                kwargs["form"] = type(f"Locked{base.__name__}", (ConcurrentEditForm, base), {})
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fieldsets(self, request, obj=None):
        fieldsets = list(super().get_fieldsets(request, obj))
        if obj is None or not fieldsets:
            return fieldsets
        if any(SNAPSHOT_FIELD in (options.get("fields") or ()) for _, options in fieldsets):
            return fieldsets
        name, options = fieldsets[-1]
        fieldsets[-1] = (name, {**options, "fields": [*options["fields"], SNAPSHOT_FIELD]})
        return fieldsets
