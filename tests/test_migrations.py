"""Every migration of the catalogue reverses: migrate to zero and back, on PostgreSQL.

PostgreSQL runs schema changes inside transactions: the whole round trip happens inside the test's
transaction, and its rollback leaves the test database exactly as it was for the other tests (no
flush, unlike a transactional test). SQLite cannot alter its schema inside a transaction with its
foreign-key checks on; the PostgreSQL run (`make test` with POSTGRES_URL, as in CI) is the one that counts.
"""

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from catalogue.models import AccessLevel, Interest

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="runs on PostgreSQL (CI)")


def catalogue_state() -> list[tuple[str, str]]:
    executor = MigrationExecutor(connection)
    return sorted(key for key in executor.loader.applied_migrations if key[0] == "catalogue")


@pytest.mark.django_db
def test_catalogue_migrations_go_to_zero_and_back():
    applied = catalogue_state()
    assert applied, "the test database should be migrated"
    # Foreign keys are checked at once rather than at commit: PostgreSQL refuses to drop a table
    # with deferred checks pending, and this transaction never commits.
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    call_command("migrate", "catalogue", "zero", verbosity=0, interactive=False)
    assert catalogue_state() == []
    with connection.cursor() as cursor:
        tables = connection.introspection.table_names(cursor)
    assert not [table for table in tables if table.startswith("catalogue_")]

    call_command("migrate", verbosity=0, interactive=False)
    assert catalogue_state() == applied
    # The data migrations ran again: the reference vocabularies are back.
    assert AccessLevel.objects.count() == 16
    assert Interest.objects.count() == 27
