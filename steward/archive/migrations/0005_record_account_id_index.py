"""PostgreSQL only: an index on archive_record (account_id, id).

Search with an account filter reads that account's records newest first in chunks
(``account_id = %s AND id < %s ORDER BY id DESC``). SQLite's index on account_id already ends with
the rowid, so it serves this order; PostgreSQL's does not (its entries follow the heap), and the
planner walked the primary key backwards through every other account's records instead (0.5-1 s
over a million records). Raw SQL, like 0002, because the model must not declare a second index
that SQLite would maintain for nothing on every import.
"""

from django.db import migrations


def forward(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS archive_rec_account_id_id ON archive_record (account_id, id)"
        )


def backward(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS archive_rec_account_id_id")


class Migration(migrations.Migration):
    dependencies = [("archive", "0004_request_fees")]

    operations = [migrations.RunPython(forward, backward)]
