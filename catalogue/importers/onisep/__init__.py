"""Import of ONISEP's Idéo open data: the job sheets and the training sheets (see docs/onisep-import.md).

`import_onisep(...)` is the one entry point, used by `manage.py import_onisep`, the admin's upload
form and the tests; `resolve_conflict(...)` settles what an import left for counsellors to decide.
"""

from .conflicts import resolve_conflict
from .errors import OnisepImportError
from .report import ImportReport
from .service import import_onisep

__all__ = ["ImportReport", "OnisepImportError", "import_onisep", "resolve_conflict"]
