"""The counsellors' admin, one module per part of the back office."""

from catalogue import history  # noqa: F401  (registers the versioned models before VersionAdmin would)

from . import (
    accounts,  # noqa: F401
    catalogue,  # noqa: F401
    failed_searches,  # noqa: F401
    imports,  # noqa: F401
)
