"""Which changes the catalogue keeps (django-reversion), and how one record goes back in time.

A job's version carries its own fields, its links to trainings, interests, statuses, sectors and
ROME codes (many-to-many, stored with the job), and its appellations, related jobs and resources
(followed, stored in the same revision). Imports write one revision for the whole import
(catalogue.services.history.record_import).
"""

import reversion

from catalogue.models import (
    AccessLevel,
    Appellation,
    Interest,
    Job,
    JobResource,
    RelatedJob,
    Sector,
    Status,
    Training,
)

# Derived or bookkeeping columns: never restored from an old version.
JOB_EXCLUDE = ("search_text",)

reversion.register(Job, follow=("appellations", "related_links", "resources"), exclude=JOB_EXCLUDE)
# A child edited on its own page is saved with its job, so that the job's history shows it.
for child in (Appellation, RelatedJob, JobResource):
    reversion.register(child, follow=("job",))
reversion.register(Training)
for model in (Interest, AccessLevel, Status, Sector):
    reversion.register(model)
