"""Admin autocomplete fields that survive forged values.

Django's autocomplete widgets look a refused value ("abc", a number too large for the column) up
again to redraw it, and fail with a 500; on SQLite the form field itself overflows on a number
above 2**63. The widgets below show such a value as no choice, and the fields refuse it before
any query, with Django's French message.
"""

from django import forms
from django.contrib.admin.widgets import AutocompleteSelect, AutocompleteSelectMultiple
from django.core.exceptions import ValidationError


def _plausible(item) -> bool:
    text = str(item)
    return text.isascii() and text.isdigit() and len(text) <= 18


def _plausible_ids(value) -> list:
    return [item for item in value if _plausible(item)]


class SafeModelChoiceField(forms.ModelChoiceField):
    def to_python(self, value):
        if value not in self.empty_values and not _plausible(value):
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super().to_python(value)


class SafeModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    def _check_values(self, value):
        for item in value:
            if not _plausible(item):
                raise ValidationError(
                    self.error_messages["invalid_pk_value"], code="invalid_pk_value", params={"pk": item}
                )
        return super()._check_values(value)


class SafeAutocompleteSelect(AutocompleteSelect):
    def optgroups(self, name, value, attrs=None):
        return super().optgroups(name, _plausible_ids(value), attrs)


class SafeAutocompleteSelectMultiple(AutocompleteSelectMultiple):
    def optgroups(self, name, value, attrs=None):
        return super().optgroups(name, _plausible_ids(value), attrs)


class SafeAutocompleteMixin:
    """For ModelAdmins and inlines: their `autocomplete_fields` use the widgets above."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = SafeAutocompleteSelect(db_field, self.admin_site, using=kwargs.get("using"))
            kwargs.setdefault("form_class", SafeModelChoiceField)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = SafeAutocompleteSelectMultiple(db_field, self.admin_site, using=kwargs.get("using"))
            kwargs.setdefault("form_class", SafeModelMultipleChoiceField)
        return super().formfield_for_manytomany(db_field, request, **kwargs)
