"""Spreadsheet export and import of jobs, trainings and interests in the admin (django-import-export).

"Exporter" on a changelist exports what the list shows (its filters and search applied) to CSV or
XLSX; it needs the view permission. "Importer" (the `import_<model>` permission: Validateurs, not
Rédacteurs) reads a file, checks it entirely and shows a preview: each row with the columns it
changes, or every error with its line and column. Nothing is written before the counsellor
confirms, and then everything is, in one transaction (catalogue.resources says what files hold).

Between the preview and the confirmation the file waits on the shared media volume, so that any
application server can confirm it; files of abandoned previews are swept after a day.
"""

import re
from datetime import timedelta

from django import forms
from django.contrib import messages
from django.contrib.admin.models import ADDITION, CHANGE, LogEntry
from django.contrib.admin.options import IncorrectLookupParameters
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from import_export.admin import ImportExportMixin
from import_export.forms import ConfirmImportForm, ExportForm, ImportForm
from import_export.results import RowResult
from import_export.tmp_storages import MediaStorage

from catalogue.resources import (
    SPREADSHEET_FORMATS,
    CSVSpreadsheet,
    InterestResource,
    JobResource,
    SpreadsheetError,
    TrainingResource,
    XLSXSpreadsheet,
    change_counts,
    counted,
    is_xlsx,
)
from catalogue.services.slugs import base_slug

MAX_UPLOAD_BYTES = 20 * 1024 * 1024
UPLOADS_KEPT_FOR = timedelta(days=1)
UPLOAD_NAME = re.compile(r"^[0-9a-f]{32}$")  # MediaStorage names files with uuid4().hex


class SpreadsheetUploadStorage(MediaStorage):
    """An uploaded file between the preview and the confirmation."""

    def save(self, data) -> None:
        self.sweep()
        super().save(data)

    def exists(self) -> bool:
        return bool(self.name) and self._storage.exists(self.get_full_path())

    def sweep(self) -> None:
        limit = timezone.now() - UPLOADS_KEPT_FOR
        try:
            _, names = self._storage.listdir(self.MEDIA_FOLDER)
        except FileNotFoundError:
            return
        for name in names:
            path = f"{self.MEDIA_FOLDER}/{name}"
            if self._storage.get_modified_time(path) < limit:
                self._storage.delete(path)


class SpreadsheetImportForm(ImportForm):
    """The upload: the whole file is read and its headers checked before anything else runs."""

    def __init__(self, formats, resources, **kwargs):
        super().__init__(formats, resources, **kwargs)
        self.formats, self.resources = formats, resources
        self.fields["format"].required = False
        self.fields["format"].choices = [("", "d’après le fichier"), *self.fields["format"].choices[1:]]
        self.fields["import_file"].help_text = (
            "Un fichier exporté de cette liste et modifié, ou fait à la main avec les mêmes colonnes : "
            "CSV en UTF-8 (séparateur point-virgule, virgule ou tabulation) ou classeur XLSX, 20 Mo au plus."
        )

    def clean(self):
        cleaned_data = super().clean()
        upload = cleaned_data.get("import_file")
        if upload is None:
            return cleaned_data
        if upload.size > MAX_UPLOAD_BYTES:
            self.add_error("import_file", "Ce fichier dépasse 20 Mo : découpez-le.")
            return cleaned_data
        content = upload.read()
        upload.seek(0)  # the admin reads it again
        if not cleaned_data.get("format"):
            cleaned_data["format"] = str(self.formats.index(XLSXSpreadsheet if is_xlsx(content) else CSVSpreadsheet))
        try:
            dataset = self.formats[int(cleaned_data["format"])]().create_dataset(content)
        except SpreadsheetError as error:
            self.add_error("import_file", str(error))
            return cleaned_data
        resource = self.resources[int(cleaned_data.get("resource") or 0)]()
        for message in resource.header_errors(dataset.headers):
            self.add_error("import_file", message)
        if not dataset.height:
            self.add_error("import_file", "Ce fichier n’a aucune ligne à importer sous la ligne des en-têtes.")
        return cleaned_data


class SpreadsheetExportForm(ExportForm):
    def __init__(self, formats, resources, **kwargs):
        super().__init__(formats, resources, **kwargs)
        self.fields["format"].choices = self.fields["format"].choices[1:]  # no empty choice: CSV first


class SpreadsheetConfirmForm(ConfirmImportForm):
    """The confirmation: it names a file of the preview, which must still be there."""

    def clean_import_file_name(self) -> str:
        name = super().clean_import_file_name()
        if not UPLOAD_NAME.match(name) or not SpreadsheetUploadStorage(name=name).exists():
            raise forms.ValidationError("Ce fichier n’est plus disponible : chargez-le à nouveau.")
        return name

    def clean_format(self) -> str:
        value = self.cleaned_data["format"]
        if value not in {str(index) for index in range(len(SPREADSHEET_FORMATS))}:
            raise forms.ValidationError("Format inconnu.")
        return value


class SpreadsheetMixin(ImportExportMixin):
    """Export and import buttons on a changelist, for one resource of catalogue.resources."""

    formats = import_formats = export_formats = SPREADSHEET_FORMATS
    import_form_class = SpreadsheetImportForm
    confirm_form_class = SpreadsheetConfirmForm
    # No choice of columns: the library's form for it needs an inline script, refused by the admin's CSP.
    export_form_class = SpreadsheetExportForm
    import_template_name = "admin/import_export/spreadsheet_import.html"
    export_template_name = "admin/import_export/spreadsheet_export.html"
    tmp_storage_class = SpreadsheetUploadStorage
    to_encoding = "utf-8-sig"  # a byte-order mark: Excel then reads the CSV's accents right

    def get_import_context_data(self, **kwargs):
        resource = self.get_import_resource_classes(None)[0]()
        return {"spreadsheet_columns": resource.column_notes(), "spreadsheet_required": resource.required_columns}

    def get_export_filename(self, request, queryset, file_format) -> str:
        stem = base_slug(str(self.model._meta.verbose_name_plural))
        return f"{stem}-{timezone.localdate():%Y-%m-%d}.{file_format.get_extension()}"

    def export_action(self, request):
        try:
            return super().export_action(request)
        except IncorrectLookupParameters:
            self.message_user(request, "Ces filtres ne sont pas valides : rien n’a été exporté.", messages.ERROR)
            return redirect(self.changelist_url())

    def init_request_context_data(self, request, form):
        context = super().init_request_context_data(request, form)
        count = self.get_export_queryset(request).count()
        opts = self.model._meta
        context["export_summary"] = f"{count} {opts.verbose_name if count == 1 else opts.verbose_name_plural}"
        context["export_filtered"] = bool(request.GET)
        context["changelist_url"] = self.changelist_url() + (f"?{request.GET.urlencode()}" if request.GET else "")
        return context

    def process_result(self, result, request):
        """After a confirmed import; one that failed (the data changed since the preview) wrote nothing."""
        if result.has_errors() or result.has_validation_errors():
            errors = [str(error.error) for error in result.base_errors]
            errors += [str(error.error) for row in result.error_rows for error in row.errors]
            errors += [message for row in result.invalid_rows for message in row.error.messages]
            listed = " ; ".join(errors[:5]) + ("…" if len(errors) > 5 else "")
            self.message_user(request, f"Rien n’a été importé : {listed}", messages.ERROR)
            return redirect(reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_import"))
        return super().process_result(result, request)

    def generate_log_entries(self, result, request) -> None:
        if self.get_skip_admin_log():
            return
        for import_type, action_flag in ((RowResult.IMPORT_TYPE_NEW, ADDITION), (RowResult.IMPORT_TYPE_UPDATE, CHANGE)):
            records = [row.instance for row in result.rows if row.import_type == import_type and row.instance]
            if records:
                LogEntry.objects.log_actions(
                    request.user.pk,
                    records,
                    action_flag,
                    change_message="Import de tableur",
                    single_object=len(records) == 1,
                )

    def add_success_message(self, result, request) -> None:
        unchanged = result.totals[RowResult.IMPORT_TYPE_SKIP]
        message = f"Import terminé ({self.opts.verbose_name_plural}) : {change_counts(result)}"
        if unchanged:
            message += ", " + counted(unchanged, "ligne inchangée", "lignes inchangées")
        self.message_user(request, message + ".", messages.SUCCESS)

    def changelist_url(self) -> str:
        return reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_changelist")


class JobSpreadsheetMixin(SpreadsheetMixin):
    resource_classes = [JobResource]


class TrainingSpreadsheetMixin(SpreadsheetMixin):
    resource_classes = [TrainingResource]


class InterestSpreadsheetMixin(SpreadsheetMixin):
    resource_classes = [InterestResource]
