"""`import_onisep`: read and validate the export files, then write them in one transaction."""

import os
from collections.abc import Callable
from datetime import date
from pathlib import Path

from django.db import DatabaseError, transaction
from django.utils import timezone

from catalogue.models import ImportKind, ImportRun
from catalogue.services.cache import bump_catalogue_version
from catalogue.services.history import record_import

from .errors import OnisepImportError
from .reader import export_date_from_name, read_records
from .records import parse_job, parse_training
from .report import ImportReport
from .sync import Export, Synchroniser

KINDS = {
    # kind: (root element, record element, parser, label in reports)
    "jobs": ("metiers", "metier", parse_job, "métiers"),
    "trainings": ("formations", "formation", parse_training, "formations"),
}


def _read_export(
    path: str | os.PathLike,
    kind: str,
    *,
    export_date: date | None,
    progress: Callable[[str], None] | None,
) -> Export:
    path = Path(path)
    label = path.name
    root_tag, record_tag, parse, kind_label = KINDS[kind]

    def report_progress(count: int) -> None:
        if progress is not None:
            progress(f"Lecture des fiches {kind_label} : {count}")

    records, xml_name = read_records(
        path, label=label, root_tag=root_tag, record_tag=record_tag, parse=parse, progress=report_progress
    )
    seen: set[str] = set()
    for record in records:
        if record.onisep_id in seen:
            raise OnisepImportError(
                "identifiant présent deux fois dans le fichier.",
                file=label,
                record=record.onisep_id,
                element="identifiant",
            )
        seen.add(record.onisep_id)
    export_date = export_date or export_date_from_name(path.name, xml_name)
    if export_date is None:
        raise OnisepImportError(
            "date de l’export introuvable dans le nom du fichier (…_JJMMAAAA.zip) : précisez-la "
            "(option --export-date AAAA-MM-JJ, ou champ « date de l’export » du formulaire).",
            file=label,
        )
    return Export(kind=kind, file_name=label, export_date=export_date, records=records)


def import_onisep(
    *,
    jobs_path: str | os.PathLike | None = None,
    trainings_path: str | os.PathLike | None = None,
    dry_run: bool = False,
    user=None,
    export_date: date | None = None,
    progress: Callable[[str], None] | None = None,
) -> ImportReport:
    """Import an ONISEP Idéo export (the jobs file, the trainings file, or both), all or nothing.

    Each path is the export's .zip or the .xml inside it. `export_date` overrides the date read from
    the file names (`..._25062024.zip`); `progress` receives French progress messages. Both files are
    read and validated before anything is written; the writes run in one transaction, rolled back on
    any error and in a dry run. Every run that gets that far is recorded as an ImportRun
    (`report.import_run`).

    Raises OnisepImportError (message in French naming the file, the record and the element).
    """
    if jobs_path is None and trainings_path is None:
        raise OnisepImportError("indiquez au moins un fichier : les fiches métiers et/ou les fiches formations.")
    jobs = (
        _read_export(jobs_path, "jobs", export_date=export_date, progress=progress) if jobs_path is not None else None
    )
    trainings = (
        _read_export(trainings_path, "trainings", export_date=export_date, progress=progress)
        if trainings_path is not None
        else None
    )
    report = ImportReport(
        dry_run=dry_run,
        files=[
            {"name": export.file_name, "kind": KINDS[export.kind][3], "export_date": export.export_date.isoformat()}
            for export in (jobs, trainings)
            if export is not None
        ],
    )
    run_fields = {
        "kind": ImportKind.ONISEP,
        "user": user if getattr(user, "pk", None) else None,
        "dry_run": dry_run,
        "export_date": report.export_date,
        "files": report.files,
    }
    now = timezone.now()
    try:
        with transaction.atomic():
            run = ImportRun.objects.create(**run_fields)
            Synchroniser(jobs=jobs, trainings=trainings, report=report, run=run, now=now, progress=progress).run()
            if dry_run:
                transaction.set_rollback(True)
            else:
                run.counts, run.report = report.as_counts(), report.as_text()
                run.save(update_fields=["counts", "report"])
                record_import(run, since=now)
                bump_catalogue_version()
    except DatabaseError as error:
        files = ", ".join(item["name"] for item in report.files)
        raise OnisepImportError(
            f"la base de données a refusé l’import, rien n’a été enregistré ({error}).", file=files
        ) from error
    if dry_run:  # the run inside the transaction was rolled back with everything else
        run = ImportRun.objects.create(**run_fields, counts=report.as_counts(), report=report.as_text())
    report.import_run = run
    return report
