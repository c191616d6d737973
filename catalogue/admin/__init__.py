"""The counsellors' admin, one module per part of the back office."""

from . import (
    catalogue,  # noqa: F401
    imports,  # noqa: F401
)
