"""Imports in the counsellors' admin.

- ImportRun: the record of every run (dry runs included), read-only, and the form that loads a new
  ONISEP export without a terminal: upload the files, read the dry-run report, confirm. Between the
  two steps the files wait in MEDIA_ROOT/onisep-imports/<random token>/ (no session needed); they are
  deleted once confirmed or cancelled, and folders left behind for a day are swept at the next upload.
- ImportConflict: the fields an import did not overwrite because a counsellor had edited them; the
  list shows pending ones by default, and each can be settled (ONISEP's version or the local one)
  from the list's actions or from its own page, which shows both versions side by side.
"""

import json
import re
import secrets
import shutil
import time
from datetime import date
from pathlib import Path

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, SuspiciousFileOperation
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import get_valid_filename
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from catalogue.importers.onisep import OnisepImportError, import_onisep, resolve_conflict
from catalogue.importers.onisep.conflicts import current_value, field_spec
from catalogue.importers.onisep.fields import Kind
from catalogue.models import AccessLevel, ConflictState, ImportConflict, ImportRun
from catalogue.sanitize import sanitize_html

UPLOAD_DIR = "onisep-imports"
TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,64}$")
STALE_AFTER = 24 * 3600  # seconds
ALLOWED_SUFFIXES = (".zip", ".xml")


def upload_root() -> Path:
    return Path(settings.MEDIA_ROOT) / UPLOAD_DIR


def sweep_stale_uploads() -> None:
    root = upload_root()
    if not root.is_dir():
        return
    limit = time.time() - STALE_AFTER
    for folder in root.iterdir():
        if folder.is_dir() and folder.stat().st_mtime < limit:
            shutil.rmtree(folder, ignore_errors=True)


class OnisepUploadForm(forms.Form):
    jobs_file = forms.FileField(
        label="Fiches métiers",
        required=False,
        help_text="Le fichier .zip de l’export « Idéo-Fiches métiers » (ou le .xml qu’il contient).",
    )
    trainings_file = forms.FileField(
        label="Fiches formations",
        required=False,
        help_text="Le fichier .zip de l’export « Idéo-Fiches formations » (ou le .xml qu’il contient).",
    )
    export_date = forms.DateField(
        label="Date de l’export",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Seulement si le nom des fichiers ne la donne pas (…_25062024.zip).",
    )

    def clean(self):
        cleaned = super().clean()
        files = [cleaned.get("jobs_file"), cleaned.get("trainings_file")]
        if not any(files):
            raise forms.ValidationError("Choisissez au moins un fichier : fiches métiers et/ou fiches formations.")
        for name in ("jobs_file", "trainings_file"):
            upload = cleaned.get(name)
            if upload and not upload.name.lower().endswith(ALLOWED_SUFFIXES):
                self.add_error(name, "Fichier .zip ou .xml attendu.")
        return cleaned


def _store(form: OnisepUploadForm) -> str:
    """Keep the uploaded files (under their own names, which carry the export date) for the confirmation."""
    token = secrets.token_urlsafe(24)
    folder = upload_root() / token
    folder.mkdir(parents=True)
    meta = {"export_date": form.cleaned_data["export_date"].isoformat() if form.cleaned_data["export_date"] else None}
    for kind, field_name in (("jobs", "jobs_file"), ("trainings", "trainings_file")):
        upload = form.cleaned_data.get(field_name)
        if not upload:
            continue
        try:  # keep the name: it carries the export date
            name = get_valid_filename(Path(upload.name).name)
        except SuspiciousFileOperation:
            name = f"{kind}{Path(upload.name).suffix.lower()}"
        (folder / kind).mkdir()
        with (folder / kind / name).open("wb") as destination:
            for chunk in upload.chunks():
                destination.write(chunk)
        meta[kind] = name
    (folder / "meta.json").write_text(json.dumps(meta), encoding="utf-8")
    return token


def _run_stored(token: str, *, dry_run: bool, user) -> ImportRun:
    folder = upload_root() / token
    meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
    report = import_onisep(
        jobs_path=folder / "jobs" / meta["jobs"] if meta.get("jobs") else None,
        trainings_path=folder / "trainings" / meta["trainings"] if meta.get("trainings") else None,
        dry_run=dry_run,
        user=user,
        export_date=date.fromisoformat(meta["export_date"]) if meta.get("export_date") else None,
    )
    return report.import_run


def _discard(token: str) -> None:
    shutil.rmtree(upload_root() / token, ignore_errors=True)


@admin.register(ImportRun)
class ImportRunAdmin(admin.ModelAdmin):
    list_display = ["started_at", "kind", "dry_run", "export_date", "user", "summary"]
    list_filter = ["kind", "dry_run"]
    list_select_related = ["user"]
    date_hierarchy = "started_at"
    fields = ["kind", "started_at", "user", "dry_run", "export_date", "file_list", "report_text"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False  # runs are recorded by the imports themselves

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description="résultat")
    def summary(self, obj: ImportRun) -> str:
        counts = obj.counts or {}
        if "created" not in counts:
            return "—"
        conflicts = counts.get("conflicts", 0)
        text = f"{counts['created']} créé(s), {counts.get('updated', 0)} mis à jour"
        return f"{text}, {conflicts} fiche(s) en conflit" if conflicts else text

    @admin.display(description="fichiers")
    def file_list(self, obj: ImportRun) -> str:
        return ", ".join(item.get("name", "") for item in obj.files or []) or "—"

    @admin.display(description="rapport")
    def report_text(self, obj: ImportRun) -> SafeString:
        return format_html('<pre class="import-report">{}</pre>', obj.report or "—")

    def get_urls(self):
        urls = [
            path("onisep/", self.admin_site.admin_view(self.onisep_upload_view), name="catalogue_importrun_onisep"),
            path(
                "onisep/<str:token>/",
                self.admin_site.admin_view(require_POST(self.onisep_confirm_view)),
                name="catalogue_importrun_onisep_confirm",
            ),
        ]
        return urls + super().get_urls()

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "can_import_onisep": self._can_import(request)}
        return super().changelist_view(request, extra_context)

    def _can_import(self, request: HttpRequest) -> bool:
        return request.user.has_perm("catalogue.add_importrun")

    def _context(self, request: HttpRequest, title: str, **extra) -> dict:
        return {**self.admin_site.each_context(request), "opts": self.model._meta, "title": title, **extra}

    def onisep_upload_view(self, request: HttpRequest) -> HttpResponse:
        """Step 1: upload the files; the import runs as a dry run and its report is shown."""
        if not self._can_import(request):
            raise PermissionDenied
        form = OnisepUploadForm(request.POST, request.FILES) if request.method == "POST" else OnisepUploadForm()
        if form.is_bound and form.is_valid():
            sweep_stale_uploads()
            token = _store(form)
            try:
                run = _run_stored(token, dry_run=True, user=request.user)
            except OnisepImportError as error:
                _discard(token)
                form.add_error(None, f"Import refusé, rien n’a été enregistré. {error}")
            else:
                return TemplateResponse(
                    request,
                    "admin/catalogue/importrun/onisep_preview.html",
                    self._context(request, "Vérifier l’import ONISEP", run=run, token=token),
                )
        return TemplateResponse(
            request,
            "admin/catalogue/importrun/onisep_upload.html",
            self._context(request, "Importer un export ONISEP", form=form),
        )

    def onisep_confirm_view(self, request: HttpRequest, token: str) -> HttpResponse:
        """Step 2: run the real import on the files kept at step 1 (or discard them)."""
        if not self._can_import(request):
            raise PermissionDenied
        upload_url = reverse("admin:catalogue_importrun_onisep")
        if not TOKEN.match(token) or not (upload_root() / token / "meta.json").is_file():
            messages.error(request, "Ces fichiers ne sont plus disponibles : envoyez-les de nouveau.")
            return redirect(upload_url)
        if "_cancel" in request.POST:
            _discard(token)
            messages.info(request, "Import annulé : les fichiers envoyés ont été supprimés.")
            return redirect("admin:catalogue_importrun_changelist")
        try:
            run = _run_stored(token, dry_run=False, user=request.user)
        except OnisepImportError as error:
            messages.error(request, f"Import refusé, rien n’a été enregistré. {error}")
            return redirect(upload_url)
        finally:
            _discard(token)
        messages.success(request, run.report.splitlines()[0] if run.report else "Import terminé.")
        return redirect("admin:catalogue_importrun_change", run.pk)


# --- Conflicts ----------------------------------------------------------------------------------------


class ConflictStateFilter(admin.SimpleListFilter):
    """Pending conflicts by default: they are the ones waiting for a counsellor."""

    title = "décision"
    parameter_name = "decision"
    ALL = "toutes"

    def lookups(self, request, model_admin):
        return [*ConflictState.choices, (self.ALL, "Toutes")]

    def value(self):
        return super().value() or ConflictState.PENDING

    def choices(self, changelist):
        for lookup, title in self.lookup_choices:
            yield {
                "selected": self.value() == lookup,
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": title,
            }

    def queryset(self, request, queryset):
        if self.value() == self.ALL:
            return queryset
        return queryset.filter(state=self.value())


def display_value(conflict: ImportConflict, value) -> SafeString:
    """A conflict value as a counsellor reads it on the sheet."""
    spec = field_spec(conflict)
    if value in (None, "", []):
        return format_html("<em>{}</em>", "(vide)")
    if spec is not None and spec.kind is Kind.HTML:
        return mark_safe(sanitize_html(value))
    if spec is not None and spec.kind is Kind.FK:
        level = AccessLevel.objects.filter(onisep_id=value).first()
        return format_html("{}", level.name if level else value)
    if spec is not None and spec.kind is Kind.LIST:
        return format_html(
            "<ul>{}</ul>",
            format_html_join("", "<li>{}</li>", ((" – ".join(str(part) for part in item if part),) for item in value)),
        )
    if isinstance(value, bool):
        return format_html("{}", "oui" if value else "non")
    if isinstance(value, dict | list):
        return format_html("<pre>{}</pre>", json.dumps(value, ensure_ascii=False, indent=2))
    return format_html("{}", value)


@admin.register(ImportConflict)
class ImportConflictAdmin(admin.ModelAdmin):
    list_display = ["record", "field_label", "state", "import_run", "decided_by", "decided_at"]
    list_filter = [ConflictStateFilter]
    list_select_related = ["job", "training", "import_run", "decided_by"]
    search_fields = ["job__name", "job__onisep_id", "training__name", "training__onisep_id", "field"]
    actions = ["accept_onisep", "keep_local"]
    fields = ["record_link", "field_label", "state", "import_run", "decided_by", "decided_at"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description="fiche")
    def record(self, obj: ImportConflict) -> str:
        record = obj.job or obj.training
        return f"{record.onisep_id or ''} {record.name}".strip()

    @admin.display(description="fiche")
    def record_link(self, obj: ImportConflict) -> SafeString:
        record = obj.job or obj.training
        url = reverse(f"admin:catalogue_{record._meta.model_name}_change", args=[record.pk])
        return format_html('<a href="{}">{}</a>', url, self.record(obj))

    @admin.display(description="champ", ordering="field")
    def field_label(self, obj: ImportConflict) -> str:
        spec = field_spec(obj)
        return spec.label if spec else obj.field

    def _settle(self, request: HttpRequest, conflicts, *, accept: bool) -> int:
        """Settle each pending conflict and note it in the record's history."""
        settled = 0
        for conflict in conflicts:
            if resolve_conflict(conflict, accept=accept, user=request.user):
                settled += 1
                decision = "version ONISEP acceptée" if accept else "version locale conservée"
                self.log_change(
                    request,
                    conflict.job or conflict.training,
                    f"Conflit d’import réglé ({self.field_label(conflict)}) : {decision}.",
                )
        return settled

    @admin.action(description="Accepter la version ONISEP", permissions=["change"])
    def accept_onisep(self, request, queryset):
        count = self._settle(request, queryset.select_related("job", "training"), accept=True)
        self.message_user(
            request,
            ngettext(
                "Version ONISEP acceptée pour %(count)d champ.", "Version ONISEP acceptée pour %(count)d champs.", count
            )
            % {"count": count},
            messages.SUCCESS if count else messages.WARNING,
        )

    @admin.action(description="Conserver la version locale", permissions=["change"])
    def keep_local(self, request, queryset):
        count = self._settle(request, queryset.select_related("job", "training"), accept=False)
        self.message_user(
            request,
            ngettext(
                "Version locale conservée pour %(count)d champ.",
                "Version locale conservée pour %(count)d champs.",
                count,
            )
            % {"count": count},
            messages.SUCCESS if count else messages.WARNING,
        )

    def change_view(self, request, object_id, form_url="", extra_context=None):
        conflict = self.get_object(request, object_id)
        if conflict is not None and request.method == "POST" and ({"_accept", "_keep"} & request.POST.keys()):
            if not self.has_change_permission(request, conflict):
                raise PermissionDenied
            accept = "_accept" in request.POST
            if self._settle(request, [conflict], accept=accept):
                text = "Version ONISEP acceptée" if accept else "Version locale conservée"
                self.message_user(request, f"{text} : {self.record(conflict)} – {self.field_label(conflict)}.")
            else:
                self.message_user(request, "Ce conflit était déjà réglé.", messages.WARNING)
            return HttpResponseRedirect(reverse("admin:catalogue_importconflict_changelist"))
        if conflict is not None:
            extra_context = {
                **(extra_context or {}),
                "conflict": conflict,
                "subtitle": f"{self.record(conflict)} – {self.field_label(conflict)}",
                "local_display": display_value(conflict, current_value(conflict)),
                "onisep_display": display_value(conflict, conflict.onisep_value),
                "is_pending": conflict.state == ConflictState.PENDING,
            }
        return super().change_view(request, object_id, form_url, extra_context)
