"""The catalogue's models, one module per part of the domain, re-exported here."""

from .base import PublicationStatus, Source
from .feedback import FailedSearch
from .imports import ConflictState, ImportConflict, ImportKind, ImportRun
from .job import Appellation, AppellationKind, Job, JobResource, JobSlugRedirect, RelatedJob, ResourceKind
from .reference import AccessLevel, Interest, RomeCode, Sector, Status
from .search import ROME_ATTRIBUTION, RomeAppellation, SearchDocument, SearchTitle, SearchWord, TitleKind
from .training import Training

__all__ = [
    "ROME_ATTRIBUTION",
    "AccessLevel",
    "Appellation",
    "AppellationKind",
    "ConflictState",
    "FailedSearch",
    "ImportConflict",
    "ImportKind",
    "ImportRun",
    "Interest",
    "Job",
    "JobResource",
    "JobSlugRedirect",
    "PublicationStatus",
    "RelatedJob",
    "ResourceKind",
    "RomeAppellation",
    "RomeCode",
    "SearchDocument",
    "SearchTitle",
    "SearchWord",
    "Sector",
    "Source",
    "Status",
    "TitleKind",
    "Training",
]
