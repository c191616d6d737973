"""What an ONISEP import did (or, in a dry run, would do), in figures and in French."""

from dataclasses import asdict, dataclass, field
from datetime import date

from catalogue.models import ImportRun


@dataclass
class Counts:
    read: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    withdrawn: int = 0
    restored: int = 0

    def line(self, label: str) -> str:
        parts = [f"{self.created} créé(s)", f"{self.updated} mis à jour", f"{self.unchanged} inchangé(s)"]
        if self.withdrawn:
            parts.append(f"{self.withdrawn} retiré(s) par l’ONISEP")
        if self.restored:
            parts.append(f"{self.restored} rétabli(s)")
        read = f"{self.read} lu(s) : " if self.read else ""
        return f"{label} : {read}{', '.join(parts)}"


@dataclass
class ConflictLine:
    record: str  # "MET.12 développeur/euse informatique"
    fields: list[str]  # French labels of the fields ONISEP changed and a counsellor had edited


@dataclass
class ImportReport:
    dry_run: bool = False
    files: list[dict[str, str]] = field(default_factory=list)  # {"name", "kind", "export_date"}
    jobs: Counts = field(default_factory=Counts)
    trainings: Counts = field(default_factory=Counts)
    placeholders: Counts = field(default_factory=Counts)  # trainings named by jobs, without a sheet
    references: Counts = field(default_factory=Counts)  # levels, statuses, interests, sectors, ROME codes
    links: dict[str, int] = field(default_factory=dict)
    conflicts: list[ConflictLine] = field(default_factory=list)
    conflicts_updated: int = 0
    warnings: list[str] = field(default_factory=list)
    import_run: ImportRun | None = None

    @property
    def created(self) -> int:
        return self.jobs.created + self.trainings.created + self.placeholders.created + self.references.created

    @property
    def updated(self) -> int:
        return self.jobs.updated + self.trainings.updated + self.placeholders.updated + self.references.updated

    @property
    def export_date(self) -> date | None:
        dates = [date.fromisoformat(item["export_date"]) for item in self.files if item.get("export_date")]
        return max(dates) if dates else None

    def summary(self) -> str:
        prefix = "Simulation – rien n’a été enregistré. " if self.dry_run else ""
        conflicts = f", {len(self.conflicts)} fiche(s) en conflit" if self.conflicts else ""
        return f"{prefix}Import ONISEP : {self.created} créé(s), {self.updated} mis à jour{conflicts}."

    def as_counts(self) -> dict:
        """The figures stored in ImportRun.counts."""
        return {
            "created": self.created,
            "updated": self.updated,
            "jobs": asdict(self.jobs),
            "trainings": asdict(self.trainings),
            "trainings_without_sheet": asdict(self.placeholders),
            "references": asdict(self.references),
            "links": dict(self.links),
            "conflicts": len(self.conflicts),
            "conflicts_updated": self.conflicts_updated,
            "warnings": len(self.warnings),
        }

    def as_text(self) -> str:
        lines = [self.summary(), ""]
        for item in self.files:
            exported = date.fromisoformat(item["export_date"]).strftime("%d/%m/%Y")
            lines.append(f"Fichier {item['name']} ({item['kind']}, export du {exported})")
        lines.append("")
        if any(item["kind"] == "métiers" for item in self.files):
            lines.append(self.jobs.line("Métiers"))
        if any(item["kind"] == "formations" for item in self.files):
            lines.append(self.trainings.line("Formations avec fiche"))
        if self.placeholders.read or self.placeholders.withdrawn:
            lines.append(self.placeholders.line("Formations citées sans fiche"))
        lines.append(self.references.line("Référentiels (niveaux, statuts, centres d’intérêt, secteurs, codes ROME)"))
        if self.links:
            lines.append("Liens : " + ", ".join(f"{count} {label}" for label, count in self.links.items()))
        if self.conflicts:
            lines += [
                "",
                f"Conflits : {len(self.conflicts)} fiche(s) modifiée(s) localement, modifications conservées :",
            ]
            lines += [f"  - {line.record} : {', '.join(line.fields)}" for line in self.conflicts]
            lines.append("  Décidez champ par champ dans l’administration (Conflits d’import).")
        if self.conflicts_updated:
            lines.append(f"Conflits en attente mis à jour avec la nouvelle version ONISEP : {self.conflicts_updated}")
        if self.warnings:
            lines += ["", f"Avertissements ({len(self.warnings)}) :"]
            lines += [f"  - {warning}" for warning in self.warnings]
        return "\n".join(lines).rstrip() + "\n"
