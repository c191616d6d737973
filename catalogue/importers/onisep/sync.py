"""Writing a parsed export to the database: load once, compare in memory, write in bulk.

Runs inside the import's transaction. Existing records are loaded into dictionaries once; each
incoming record is compared field by field with what is stored (see `fields.decide`), and only the
differences are written, with bulk_create / bulk_update grouped by the set of changed columns and
through-table rows created or deleted in bulk. A second run of the same export therefore writes
nothing. The bookkeeping a one-by-one save would do is done explicitly: slugs, publication date,
provenance, `onisep_snapshot`, and the search data (`refresh_search_text`) of every job created or
changed.

Trainings are written first (jobs link to them), then jobs; each part drops its rows once written,
so that memory holds one part at a time.
"""

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.db import models

from catalogue.models import (
    AccessLevel,
    ConflictState,
    ImportConflict,
    ImportRun,
    Interest,
    Job,
    PublicationStatus,
    RelatedJob,
    RomeCode,
    Sector,
    Source,
    Status,
    Training,
)
from catalogue.services.search import refresh_search_text
from catalogue.services.slugs import base_slug
from catalogue.text import normalize_label

from . import job_links
from .fields import (
    JOB_LIST_SPECS,
    JOB_SET_SPECS,
    JOB_SPECS,
    PLACEHOLDER_SPECS,
    TRAINING_SPECS,
    Decision,
    Kind,
    Spec,
    decide,
    merge_set,
)
from .records import JobRecord
from .report import ConflictLine, Counts, ImportReport

BATCH = 250  # rows per bulk query for the wide job and training rows

# The reference vocabularies a job or a training points to, keyed by ONISEP id.
REFERENCE_MODELS: list[type[models.Model]] = [AccessLevel, Status, Interest, Sector]


@dataclass
class Export:
    kind: str  # "jobs" | "trainings"
    file_name: str
    export_date: date
    records: list


@dataclass
class Change:
    """What an import does to one job or training row."""

    row: Any
    snapshot: dict[str, Any]
    new: bool = False
    fields: set[str] = field(default_factory=set)  # columns to write
    content: bool = False  # an imported value changed (counted as "mis à jour")
    restored: bool = False
    set_adds: dict[str, set[str]] = field(default_factory=dict)  # job m2m field -> keys to link
    set_removes: dict[str, list[int]] = field(default_factory=dict)  # job m2m field -> through pks
    list_writes: dict[str, list] = field(default_factory=dict)  # job child list -> new value


class SlugAllocator:
    """Unique slugs for a batch: the taken ones are loaded once (see services.slugs.unique_slug)."""

    def __init__(self, taken: Iterable[str]) -> None:
        self.taken = set(taken)

    def allocate(self, label: str) -> str:
        base = base_slug(label)
        candidate, counter = base, 2
        while candidate in self.taken:
            candidate, counter = f"{base}-{counter}", counter + 1
        self.taken.add(candidate)
        return candidate


class RecordFinder:
    """Rows by ONISEP id; a row without id is matched once by its label and receives the id."""

    def __init__(self, rows: Iterable[Any]) -> None:
        self.by_id: dict[str, Any] = {}
        self.by_label: dict[str, list[Any]] = defaultdict(list)
        self.matched: set[int] = set()
        for row in rows:
            if row.onisep_id:
                self.by_id[row.onisep_id] = row
            else:
                self.by_label[normalize_label(row.name)].append(row)

    def find(self, onisep_id: str, label: str) -> Any | None:
        row = self.by_id.get(onisep_id)
        if row is None and label and (candidates := self.by_label.get(normalize_label(label))):
            row = candidates.pop(0)
            row.onisep_id = onisep_id
            self.by_id[onisep_id] = row
            self.matched.add(row.pk)
        return row

    def rows(self) -> list[Any]:
        return list(self.by_id.values()) + [row for rows in self.by_label.values() for row in rows]


class Synchroniser:
    """Writes the exports (it empties their record lists as it goes, to free memory)."""

    def __init__(
        self,
        *,
        jobs: Export | None,
        trainings: Export | None,
        report: ImportReport,
        run: ImportRun,
        now: datetime,
        progress: Callable[[str], None] | None = None,
    ) -> None:
        self.jobs = jobs
        self.trainings = trainings
        self.report = report
        self.run_record = run
        self.now = now
        self.progress = progress or (lambda message: None)
        # linked model -> {ONISEP id: pk} and {pk: key compared (ONISEP id or "#pk")}
        self.pks: dict[type[models.Model], dict[str, int]] = {}
        self.keys: dict[type[models.Model], dict[int, str]] = {}
        self.pending = {
            ("job" if item.job_id else "training", item.job_id or item.training_id, item.field): item
            for item in ImportConflict.objects.filter(state=ConflictState.PENDING)
        }
        self.conflicts: list[tuple[str, Any, Spec, Any, Any]] = []
        self.settled_conflicts: set[int] = set()
        self.job_pks: dict[str, int] | None = None
        self.slugs: dict[type[models.Model], SlugAllocator] = {}
        # the trainings file's side of the job-training links: job id -> training ids
        self.reverse_links: dict[str, set[str]] = defaultdict(set)

    def run(self) -> None:
        self.progress("Enregistrement des référentiels…")
        self.sync_references()
        self.progress("Enregistrement des formations…")
        self.sync_trainings()
        if self.jobs is not None:
            self.progress("Enregistrement des métiers…")
            self.sync_jobs()
        else:
            self.add_training_side_links()
        self.link_dangling_related_jobs()
        self.save_conflicts()

    # --- Reference vocabularies -----------------------------------------------------------------------

    def sync_references(self) -> None:
        wanted: dict[type[models.Model], dict[str, str]] = {model: {} for model in REFERENCE_MODELS}
        for record in self.jobs.records if self.jobs else ():
            if record.level:
                wanted[AccessLevel].setdefault(record.level.onisep_id, record.level.label)
            for model, refs in ((Status, record.statuses), (Interest, record.interests), (Sector, record.sectors)):
                for ref in refs:
                    wanted[model].setdefault(ref.onisep_id, ref.label)
        for record in self.trainings.records if self.trainings else ():
            if record.level:
                wanted[AccessLevel].setdefault(record.level.onisep_id, record.level.label)
        for model, items in wanted.items():
            self._sync_reference(model, items)
        self._sync_rome_codes()

    def _sync_reference(self, model: type[models.Model], items: dict[str, str]) -> None:
        rows = list(model.objects.all())
        finder = RecordFinder(rows)
        slugs = SlugAllocator(row.slug for row in rows)
        created, updated = [], []
        for onisep_id, label in items.items():
            row = finder.find(onisep_id, label)
            if row is None:
                row = model(onisep_id=onisep_id, name=label or onisep_id, slug=slugs.allocate(label or onisep_id))
                created.append(row)
                finder.by_id[onisep_id] = row
            elif (label and row.name != label) or row.pk in finder.matched:
                row.name = label or row.name  # labels change between exports: the id is the key
                updated.append(row)
            else:
                self.report.references.unchanged += 1
        model.objects.bulk_create(created)
        model.objects.bulk_update(updated, ["name", "onisep_id"])
        self.report.references.created += len(created)
        self.report.references.updated += len(updated)
        self._index(model, finder.rows())

    def _sync_rome_codes(self) -> None:
        existing = dict(RomeCode.objects.values_list("code", "pk"))
        wanted = {code for record in (self.jobs.records if self.jobs else ()) for code in record.rome_codes}
        created = RomeCode.objects.bulk_create([RomeCode(code=code) for code in sorted(wanted - existing.keys())])
        self.report.references.created += len(created)
        existing.update({row.code: row.pk for row in created})
        self.pks[RomeCode] = existing
        self.keys[RomeCode] = {pk: code for code, pk in existing.items()}

    def _index(self, model: type[models.Model], rows: Iterable[Any]) -> None:
        self.pks[model], self.keys[model] = {}, {}
        for row in rows:
            if row.onisep_id:
                self.pks[model][row.onisep_id] = row.pk
            self.keys[model][row.pk] = job_links.key(row.pk, row.onisep_id)

    # --- Field by field comparison ---------------------------------------------------------------------

    def _current(self, row: Any, spec: Spec) -> Any:
        if spec.kind is Kind.FK:
            pk = getattr(row, f"{spec.name}_id")
            return None if pk is None else self.keys[AccessLevel][pk]
        return getattr(row, spec.name)

    def _assign(self, row: Any, spec: Spec, value: Any) -> str:
        if spec.kind is Kind.FK:
            setattr(row, f"{spec.name}_id", None if value is None else self.pks[AccessLevel][value])
            return f"{spec.name}_id"
        setattr(row, spec.name, value)
        return spec.name

    def _decide(self, change: Change, model_name: str, spec: Spec, current: Any, new: Any) -> Decision:
        decision = decide(spec, current, new, change.snapshot)
        if decision is Decision.CONFLICT:
            self.conflicts.append((model_name, change.row, spec, current, new))
        elif decision in (Decision.SAME, Decision.WRITE):
            pending = self.pending.get((model_name, change.row.pk, spec.name))
            if pending is not None:  # the values agree now, or the local edit was undone
                self.settled_conflicts.add(pending.pk)
        change.snapshot[spec.name] = new
        if decision is Decision.WRITE:
            change.content = True
        return decision

    def _merge_scalars(self, change: Change, model_name: str, specs: list[Spec], values: dict[str, Any]) -> None:
        for spec in specs:
            new = values[spec.name]
            if self._decide(change, model_name, spec, self._current(change.row, spec), new) is Decision.WRITE:
                change.fields.add(self._assign(change.row, spec, new))

    def _create(
        self, model: type[models.Model], specs: list[Spec], finder: RecordFinder, onisep_id: str, values: dict, **extra
    ) -> Change:
        """A new row, published (an ONISEP sheet is already reviewed), known to `finder` from now on."""
        row = model(
            onisep_id=onisep_id,
            slug=self.slugs[model].allocate(values["name"]),
            source=Source.ONISEP,
            publication_status=PublicationStatus.PUBLISHED,
            published_at=self.now,
            **extra,
        )
        change = Change(row=row, snapshot={}, new=True)
        for spec in specs:
            self._assign(row, spec, values[spec.name])
            change.snapshot[spec.name] = values[spec.name]
        finder.by_id[onisep_id] = row
        return change

    def _existing(self, row: Any, finder: RecordFinder, export_date: date) -> Change:
        change = Change(row=row, snapshot=dict(row.onisep_snapshot or {}))
        if row.pk in finder.matched:
            change.fields.add("onisep_id")
            change.content = True
        if row.source != Source.ONISEP:
            row.source = Source.ONISEP
            change.fields.add("source")
        if row.source_export_date != export_date:
            row.source_export_date = export_date
            change.fields.add("source_export_date")
        if row.withdrawn_at is not None:
            row.withdrawn_at = None
            change.fields.add("withdrawn_at")
            change.restored = True
        return change

    def _save(self, changes: list[Change], model: type[models.Model], counts: Counts) -> None:
        """Write the rows: one bulk_create, and one bulk_update per set of changed columns."""
        groups: dict[frozenset[str], list] = defaultdict(list)
        for change in changes:
            if change.new:
                change.row.onisep_snapshot = change.snapshot
                counts.created += 1
                continue
            if change.snapshot != change.row.onisep_snapshot:
                change.row.onisep_snapshot = change.snapshot
                change.fields.add("onisep_snapshot")
            if change.content:
                counts.updated += 1
            elif not change.restored:
                counts.unchanged += 1
            if change.restored:
                counts.restored += 1
            if change.fields:
                change.row.updated_at = self.now
                groups[frozenset(change.fields | {"updated_at"})].append(change.row)
        model.objects.bulk_create([change.row for change in changes if change.new], batch_size=BATCH)
        for columns, rows in groups.items():
            model.objects.bulk_update(rows, sorted(columns), batch_size=BATCH)

    def _withdraw(self, model: type[models.Model], pks: list[int]) -> int:
        """ONISEP records missing from the new export are withdrawn, never deleted."""
        for chunk in job_links.chunks(pks):
            model.objects.filter(pk__in=chunk).update(withdrawn_at=self.now, updated_at=self.now)
        return len(pks)

    # --- Trainings ------------------------------------------------------------------------------------

    def sync_trainings(self) -> None:
        sheets = {record.onisep_id: record for record in self.trainings.records} if self.trainings else {}
        named: dict[str, str] = {}  # trainings that jobs name without a sheet -> label
        for record in self.jobs.records if self.jobs else ():
            for ref in record.trainings:
                if ref.onisep_id not in sheets and not named.get(ref.onisep_id):
                    named[ref.onisep_id] = ref.label
        rows = list(Training.objects.all())
        finder = RecordFinder(rows)
        self.slugs[Training] = SlugAllocator(row.slug for row in rows)
        changes: list[Change] = []
        placeholder_changes: list[Change] = []

        for onisep_id, record in sheets.items():
            for ref in record.jobs:
                self.reverse_links[ref.onisep_id].add(onisep_id)
            values = {**record.values, "level": record.level.onisep_id if record.level else None}
            row = finder.find(onisep_id, values["name"])
            if row is None:
                export_date = self.trainings.export_date
                change = self._create(
                    Training, TRAINING_SPECS, finder, onisep_id, values, source_export_date=export_date
                )
            else:
                change = self._existing(row, finder, self.trainings.export_date)
                self._merge_scalars(change, "training", TRAINING_SPECS, values)
                if not row.has_sheet:  # a training first named by jobs now has its sheet
                    row.has_sheet = True
                    change.fields.add("has_sheet")
                    change.content = True
            changes.append(change)
        self.report.trainings.read = len(sheets)

        for onisep_id, label in named.items():
            row = finder.find(onisep_id, label)
            if row is None:
                values = {"name": label or onisep_id}
                change = self._create(
                    Training,
                    PLACEHOLDER_SPECS,
                    finder,
                    onisep_id,
                    values,
                    has_sheet=False,
                    source_export_date=self.jobs.export_date,
                )
            elif row.has_sheet:
                continue  # a sheet (earlier trainings file or local): a job's label does not override it
            else:
                change = self._existing(row, finder, self.jobs.export_date)
                self._merge_scalars(change, "training", PLACEHOLDER_SPECS, {"name": label or row.name})
            placeholder_changes.append(change)
        self.report.placeholders.read = len(placeholder_changes)

        self._save(changes, Training, self.report.trainings)
        self._save(placeholder_changes, Training, self.report.placeholders)
        self._index(Training, finder.rows())

        withdrawn_sheets, withdrawn_named = [], []
        for row in finder.rows():
            if row.source != Source.ONISEP or row.withdrawn_at is not None:
                continue
            if row.has_sheet and self.trainings is not None and row.onisep_id not in sheets:
                withdrawn_sheets.append(row.pk)
            elif not row.has_sheet and self.jobs is not None and row.onisep_id not in named:
                withdrawn_named.append(row.pk)
        self.report.trainings.withdrawn = self._withdraw(Training, withdrawn_sheets)
        self.report.placeholders.withdrawn = self._withdraw(Training, withdrawn_named)
        if self.trainings is not None:
            self.trainings.records.clear()  # written: free the memory before the jobs

    # --- Jobs -----------------------------------------------------------------------------------------

    def sync_jobs(self) -> None:
        rows = list(Job.objects.all())
        finder = RecordFinder(rows)
        self.slugs[Job] = SlugAllocator(row.slug for row in rows)
        current = job_links.CurrentLinks(self.keys)
        names = {row.onisep_id: row.name for row in rows if row.onisep_id}
        names.update({record.onisep_id: record.values["name"] for record in self.jobs.records})

        changes: list[Change] = []
        for record in self.jobs.records:
            self.report.jobs.read += 1
            values = {**record.values, "access_level": record.level.onisep_id if record.level else None}
            row = finder.find(record.onisep_id, values["name"])
            if row is None:
                change = self._create(
                    Job, JOB_SPECS, finder, record.onisep_id, values, source_export_date=self.jobs.export_date
                )
            else:
                change = self._existing(row, finder, self.jobs.export_date)
                self._merge_scalars(change, "job", JOB_SPECS, values)
            self._merge_sets(change, record, current)
            self._merge_lists(change, record, names, current)
            changes.append(change)
            self.report.warnings += [
                f"Fichier {self.jobs.file_name}, fiche {record.onisep_id}, élément <{element}> : {message}"
                for element, message in record.warnings
            ]
        seen = {record.onisep_id for record in self.jobs.records}
        self.jobs.records.clear()  # compared: free the memory

        self._save(changes, Job, self.report.jobs)
        self.job_pks = {row.onisep_id: row.pk for row in finder.rows() if row.onisep_id}
        job_links.write_sets(
            [(change.row.pk, name, keys) for change in changes for name, keys in change.set_adds.items()],
            {
                spec.name: [pk for change in changes for pk in change.set_removes.get(spec.name, ())]
                for spec in JOB_SET_SPECS
            },
            self.pks,
        )
        job_links.write_lists(
            [(change.row.pk, name, value) for change in changes for name, value in change.list_writes.items()],
            current,
            self.job_pks,
        )
        self.report.links["liens métier–formation"] = sum(len(change.snapshot["trainings"]) for change in changes)
        self.report.links["métiers associés"] = sum(len(change.snapshot["related_jobs"]) for change in changes)
        # The search data covers titles, appellations, texts and ROME codes: refresh every job that changed.
        searchable = [change.row for change in changes if change.new or change.content]
        if searchable:
            refresh_search_text(searchable)
        gone = [
            row.pk
            for row in rows
            if row.source == Source.ONISEP and row.withdrawn_at is None and row.onisep_id not in seen
        ]
        self.report.jobs.withdrawn = self._withdraw(Job, gone)

    def _merge_sets(self, change: Change, record: JobRecord, current: job_links.CurrentLinks) -> None:
        """Many-to-many links merged three ways: ONISEP's additions and removals applied to the local set."""
        wanted = job_links.new_sets(record, self.reverse_links.get(record.onisep_id, set()))
        for spec in JOB_SET_SPECS:
            linked = {} if change.new else current.sets[spec.name].get(change.row.pk, {})
            merged = merge_set(set(linked), wanted[spec.name], change.snapshot.get(spec.name))
            adds = merged - linked.keys()
            removes = [pk for target, pk in linked.items() if target not in merged]
            if adds:
                change.set_adds[spec.name] = adds
            if removes:
                change.set_removes[spec.name] = removes
            if (adds or removes) and not change.new:
                change.content = True
            change.snapshot[spec.name] = sorted(wanted[spec.name])

    def _merge_lists(
        self, change: Change, record: JobRecord, names: dict[str, str], current: job_links.CurrentLinks
    ) -> None:
        """Appellations, related jobs and resources: compared and written as whole lists."""
        wanted = job_links.new_lists(record, names)
        stored = current.lists(None if change.new else change.row.pk)
        for spec in JOB_LIST_SPECS:
            new = wanted[spec.name]
            if change.new:
                change.snapshot[spec.name] = new
                if new:
                    change.list_writes[spec.name] = new
            elif self._decide(change, "job", spec, stored[spec.name], new) is Decision.WRITE:
                change.list_writes[spec.name] = new

    def add_training_side_links(self) -> None:
        """Trainings file alone: link each training to the jobs it names that the catalogue has."""
        through = Job.trainings.through
        job_pks = dict(Job.objects.exclude(onisep_id=None).values_list("onisep_id", "pk"))
        existing = set(through.objects.values_list("job_id", "training_id"))
        missing, added = set(), []
        for job_id, training_ids in self.reverse_links.items():
            job_pk = job_pks.get(job_id)
            if job_pk is None:
                missing.add(job_id)
                continue
            for training_id in sorted(training_ids):
                pair = (job_pk, self.pks[Training][training_id])
                if pair not in existing:
                    existing.add(pair)
                    added.append(through(job_id=pair[0], training_id=pair[1]))
        through.objects.bulk_create(added, batch_size=job_links.CHUNK)
        self.report.links["liens métier–formation ajoutés"] = len(added)
        if missing:
            self.report.warnings.append(
                f"{len(missing)} métier(s) cité(s) par les formations sont absents du catalogue : "
                "importez aussi le fichier des métiers pour créer ces liens."
            )

    def link_dangling_related_jobs(self) -> None:
        """Link related-job rows kept with a label only, once their job is in the catalogue."""
        job_pks = self.job_pks
        if job_pks is None:
            job_pks = dict(Job.objects.exclude(onisep_id=None).values_list("onisep_id", "pk"))
        dangling = list(
            RelatedJob.objects.filter(target__isnull=True)
            .exclude(target_onisep_id="")
            .only("pk", "job_id", "target_onisep_id")
        )
        linked = []
        for row in dangling:
            target = job_pks.get(row.target_onisep_id)
            if target is not None and target != row.job_id:
                row.target_id = target
                linked.append(row)
        RelatedJob.objects.bulk_update(linked, ["target"], batch_size=job_links.CHUNK)
        if self.jobs is not None:
            self.report.links["métiers associés absents du catalogue (libellé conservé)"] = len(dangling) - len(linked)
        if linked:
            self.report.links["métiers associés reliés à un métier arrivé depuis"] = len(linked)

    # --- Conflicts ------------------------------------------------------------------------------------

    def save_conflicts(self) -> None:
        created, updated = [], []
        by_record: dict[tuple[str, int], ConflictLine] = {}
        for model_name, row, spec, local, onisep in self.conflicts:
            pending = self.pending.get((model_name, row.pk, spec.name))
            if pending is not None:  # already waiting for a decision: refreshed, not duplicated
                if pending.onisep_value != onisep or pending.local_value != local:
                    pending.onisep_value, pending.local_value, pending.import_run = onisep, local, self.run_record
                    updated.append(pending)
                continue
            created.append(
                ImportConflict(
                    import_run=self.run_record,
                    job=row if model_name == "job" else None,
                    training=row if model_name == "training" else None,
                    field=spec.name,
                    local_value=local,
                    onisep_value=onisep,
                )
            )
            line = by_record.setdefault((model_name, row.pk), ConflictLine(f"{row.onisep_id} {row.name}", []))
            line.fields.append(spec.label)
        ImportConflict.objects.bulk_create(created, batch_size=job_links.CHUNK)
        ImportConflict.objects.bulk_update(updated, ["onisep_value", "local_value", "import_run"])
        ImportConflict.objects.filter(pk__in=self.settled_conflicts).delete()
        self.report.conflicts = list(by_record.values())
        self.report.conflicts_updated = len(updated)
