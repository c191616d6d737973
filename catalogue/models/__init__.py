"""The catalogue's models, one module per part of the domain, re-exported here."""

from .base import PublicationStatus, Source
from .imports import ConflictState, ImportConflict, ImportKind, ImportRun
from .job import Appellation, AppellationKind, Job, JobResource, JobSlugRedirect, RelatedJob, ResourceKind
from .reference import AccessLevel, Interest, RomeCode, Sector, Status
from .training import Training

__all__ = [
    "AccessLevel",
    "Appellation",
    "AppellationKind",
    "ConflictState",
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
    "RomeCode",
    "Sector",
    "Source",
    "Status",
    "Training",
]
