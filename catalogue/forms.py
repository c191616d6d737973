"""Forms of the counsellors' admin."""

from django import forms
from django.core.exceptions import ValidationError

from catalogue.services.slugs import unique_slug


class SheetAdminForm(forms.ModelForm):
    """Job and training forms: the slug may be left empty, it is then computed from the name.

    The admin fills it in the browser (`prepopulated_fields`); this covers a form sent without
    JavaScript and gives the server's slug rules (inclusive '/', apostrophes) the last word.
    """

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if "slug" in self.fields:
            self.fields["slug"].required = False
            self.fields[
                "slug"
            ].help_text = "Adresse de la fiche sur le site. Laissée vide, elle est calculée à partir du nom."

    def clean(self) -> dict:
        cleaned_data = super().clean()
        if "slug" in self.fields and not cleaned_data.get("slug") and cleaned_data.get("name"):
            cleaned_data["slug"] = unique_slug(self._meta.model, cleaned_data["name"], exclude_pk=self.instance.pk)
        return cleaned_data


class RelatedJobForm(forms.ModelForm):
    """A related job: pick it in the catalogue, or type the label of a job not in it yet."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if "target_name" in self.fields:
            self.fields["target_name"].required = False
            self.fields["target_name"].help_text = "Repris du métier choisi si laissé vide."

    def clean(self) -> dict:
        cleaned_data = super().clean()
        target = cleaned_data.get("target")
        job = cleaned_data.get("job")
        job_id = job.pk if job is not None else self.instance.job_id
        if target is not None:
            if job_id is not None and target.pk == job_id:
                self.add_error("target", "Un métier ne peut pas être associé à lui-même.")
            if not cleaned_data.get("target_name"):
                cleaned_data["target_name"] = target.name
            if not cleaned_data.get("target_onisep_id") and target.onisep_id:
                cleaned_data["target_onisep_id"] = target.onisep_id
        elif not cleaned_data.get("target_name") and "target_name" not in self.errors:
            raise ValidationError(
                "Choisissez un métier du catalogue ou saisissez le libellé du métier associé.", code="missing_target"
            )
        return cleaned_data
