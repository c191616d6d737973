"""History in the admin (django-reversion's VersionAdmin, adapted).

- The history page lists every version with who, when, the comment and a readable diff
  (catalogue.services.history.record_changes).
- "Revenir à cette version" and "Récupérer" (deleted records) put back this record and its
  appellations, related jobs and resources only, never the rest of the revision: an import's
  revision holds every record it wrote (catalogue.services.history.revert_record).
"""

from contextlib import nullcontext

from django.contrib import messages
from django.contrib.admin.utils import quote, unquote
from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete, pre_save
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from reversion import set_comment
from reversion.admin import VersionAdmin, _RollBackRevisionView
from reversion.errors import RevertError
from reversion.models import Version
from reversion.utils import mute_signals

from catalogue.services.history import history_rows, revert_record


class HistoryAdminMixin(VersionAdmin):
    object_history_template = "admin/catalogue/object_history.html"
    history_latest_first = True

    def history_view(self, request, object_id, extra_context=None):
        opts = self.model._meta
        rows = history_rows(self.model, unquote(object_id))
        for row in rows:
            row["url"] = reverse(
                f"{self.admin_site.name}:{opts.app_label}_{opts.model_name}_revision",
                args=(quote(row["version"].object_id), row["version"].pk),
            )
        # Django's own history view (permission check, context, template), past VersionAdmin's: its list
        # of revisions would be read a second time and go unused by this template.
        return super(VersionAdmin, self).history_view(
            request, object_id, {"history_rows": rows, **(extra_context or {})}
        )

    def stored_state(self, object_id) -> dict | None:
        """What the record is before a revert (None once deleted), for `check_revert` and the save:
        after the revert, the database holds the old version and no longer says what changes."""
        return None

    def check_revert(self, request, stored: dict | None, version: Version) -> None:
        """Raise PermissionDenied when the user may not bring the record back to `version`."""

    def _reversion_revisionform_view(self, request, version, template_name, extra_context=None):
        """VersionAdmin's view, reverting only this record and its children (see the module doc).

        GET shows the form filled with the old version inside a transaction rolled back at once;
        POST reverts, saves the form and keeps both.
        """
        stored = self.stored_state(version.object_id)
        try:
            self.check_revert(request, stored, version)
        except PermissionDenied as error:
            messages.error(request, f"Retour impossible : {error}")
            opts = self.model._meta
            return redirect(f"{self.admin_site.name}:{opts.app_label}_{opts.model_name}_changelist")
        request.stored_before_revert = stored
        signals = (
            mute_signals(pre_save, post_save, pre_delete, post_delete, m2m_changed)
            if request.method == "GET"
            else nullcontext()
        )
        try:
            with transaction.atomic(using=version.db), signals:
                revert_record(version)
                with self.create_revision(request):
                    response = self.changeform_view(request, quote(version.object_id), request.path, extra_context)
                    if request.method == "POST" and response.status_code == 302:
                        when = timezone.localtime(version.revision.date_created)
                        set_comment(f"Retour à la version du {when:%d/%m/%Y à %H:%M}")
                    elif response.status_code == 200:
                        response.template_name = template_name
                        response.render()
                        raise _RollBackRevisionView(response)
                    else:
                        raise RevertError(f"Impossible de charger cette version de « {version.object_repr} ».")
        except (RevertError, Version.DoesNotExist, models.ProtectedError) as error:
            messages.error(request, f"Retour impossible : {error}")
            opts = self.model._meta
            return redirect(f"{self.admin_site.name}:{opts.app_label}_{opts.model_name}_changelist")
        except _RollBackRevisionView as rollback:
            return rollback.response
        return response
