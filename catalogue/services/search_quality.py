"""Relevance measure of the job search: top-1, top-3 and MRR@10 against a naive baseline."""

import csv
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from catalogue.models import Job
from catalogue.search import search_jobs


@dataclass
class QualityCase:
    query: str
    expected: frozenset[str]
    category: str = ""


@dataclass
class QualityScore:
    name: str
    total: int = 0
    top1: int = 0
    top3: int = 0
    reciprocal_ranks: float = 0.0
    misses: list[tuple[QualityCase, list[str]]] = field(default_factory=list)

    def add(self, case: QualityCase, ranked_ids: list[str]) -> None:
        self.total += 1
        rank = next((index for index, job_id in enumerate(ranked_ids[:10], 1) if job_id in case.expected), None)
        if rank == 1:
            self.top1 += 1
        if rank is not None and rank <= 3:
            self.top3 += 1
        else:
            self.misses.append((case, ranked_ids[:3]))
        if rank is not None:
            self.reciprocal_ranks += 1 / rank

    @property
    def top1_rate(self) -> float:
        return self.top1 / self.total if self.total else 0.0

    @property
    def top3_rate(self) -> float:
        return self.top3 / self.total if self.total else 0.0

    @property
    def mrr(self) -> float:
        return self.reciprocal_ranks / self.total if self.total else 0.0


def read_cases(path: Path) -> list[QualityCase]:
    """query<TAB>expected ids separated by |<TAB>optional category; '#' comments and a header allowed."""
    cases = []
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.reader(handle, delimiter="\t"):
            if not row or row[0].startswith("#") or row[0] == "query" or len(row) < 2:
                continue
            expected = frozenset(part.strip() for part in row[1].split("|") if part.strip())
            cases.append(QualityCase(query=row[0], expected=expected, category=row[2].strip() if len(row) > 2 else ""))
    return cases


def naive_ranking(query: str) -> list[str]:
    """The baseline: case-insensitive substring on the generic name only."""
    return list(
        Job.objects.published().filter(name__icontains=query).order_by("name").values_list("onisep_id", flat=True)[:10]
    )


def engine_ranking(query: str) -> list[str]:
    hits = search_jobs(query)[:10]
    ids = dict(Job.objects.filter(pk__in=[hit.job_id for hit in hits]).values_list("pk", "onisep_id"))
    return [ids[hit.job_id] for hit in hits]


def evaluate(cases: list[QualityCase], ranking: Callable[[str], list[str]], name: str) -> QualityScore:
    score = QualityScore(name=name)
    for case in cases:
        score.add(case, ranking(case.query))
    return score
