"""Full-text index tables and the append-only guard on archive_record (INT-3).

Vendor-guarded raw SQL: SQLite gets an FTS5 table and two triggers; PostgreSQL a tsvector table
with a GIN index and a plpgsql trigger. On both, UPDATE is refused unless it is the retention
purge turning a live record into a tombstone with its chain fields unchanged, and only while the
purge has opened its permit (a transaction-local setting on PostgreSQL, a row in
archive_purgepermit on SQLite). DELETE is always refused.
"""

from django.db import migrations

SQLITE_FORWARD = [
    "CREATE VIRTUAL TABLE archive_record_fts USING fts5(document, tokenize = 'unicode61 remove_diacritics 2')",
    "CREATE TABLE archive_purgepermit (token TEXT NOT NULL)",
    """CREATE TRIGGER archive_record_no_delete BEFORE DELETE ON archive_record
       BEGIN SELECT RAISE(ABORT, 'archive_record is append-only: DELETE refused'); END""",
    """CREATE TRIGGER archive_record_no_update BEFORE UPDATE ON archive_record
       WHEN NOT (
         OLD.tombstoned_at IS NULL AND NEW.tombstoned_at IS NOT NULL
         AND NEW.id = OLD.id AND NEW.chain = OLD.chain AND NEW.seq = OLD.seq
         AND NEW.prev_hash = OLD.prev_hash AND NEW.content_hash = OLD.content_hash AND NEW.hash = OLD.hash
         AND NEW.kind = OLD.kind AND NEW.platform_id = OLD.platform_id AND NEW.captured_at = OLD.captured_at
         AND EXISTS (SELECT 1 FROM archive_purgepermit)
       )
       BEGIN SELECT RAISE(ABORT, 'archive_record is append-only: UPDATE refused'); END""",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS archive_record_no_update",
    "DROP TRIGGER IF EXISTS archive_record_no_delete",
    "DROP TABLE IF EXISTS archive_purgepermit",
    "DROP TABLE IF EXISTS archive_record_fts",
]

PG_FORWARD = [
    "CREATE TABLE archive_record_fts (record_id bigint PRIMARY KEY, tsv tsvector NOT NULL)",
    "CREATE INDEX archive_record_fts_tsv ON archive_record_fts USING GIN (tsv)",
    """CREATE OR REPLACE FUNCTION archive_record_guard() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'archive_record is append-only: DELETE refused' USING ERRCODE = 'insufficient_privilege';
      END IF;
      IF coalesce(current_setting('steward.archive_purge', true), '') = 'on'
         AND OLD.tombstoned_at IS NULL AND NEW.tombstoned_at IS NOT NULL
         AND NEW.id = OLD.id AND NEW.chain = OLD.chain AND NEW.seq = OLD.seq
         AND NEW.prev_hash = OLD.prev_hash AND NEW.content_hash = OLD.content_hash AND NEW.hash = OLD.hash
         AND NEW.kind = OLD.kind AND NEW.platform_id = OLD.platform_id AND NEW.captured_at = OLD.captured_at
      THEN
        RETURN NEW;
      END IF;
      RAISE EXCEPTION 'archive_record is append-only: UPDATE refused' USING ERRCODE = 'insufficient_privilege';
    END $$""",
    """CREATE TRIGGER archive_record_append_only BEFORE UPDATE OR DELETE ON archive_record
       FOR EACH ROW EXECUTE FUNCTION archive_record_guard()""",
]
PG_BACKWARD = [
    "DROP TRIGGER IF EXISTS archive_record_append_only ON archive_record",
    "DROP FUNCTION IF EXISTS archive_record_guard()",
    "DROP TABLE IF EXISTS archive_record_fts",
]


def forward(apps, schema_editor):  # type: ignore[no-untyped-def]
    statements = PG_FORWARD if schema_editor.connection.vendor == "postgresql" else SQLITE_FORWARD
    for sql in statements:
        schema_editor.execute(sql)


def backward(apps, schema_editor):  # type: ignore[no-untyped-def]
    statements = PG_BACKWARD if schema_editor.connection.vendor == "postgresql" else SQLITE_BACKWARD
    for sql in statements:
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("archive", "0001_initial")]

    operations = [migrations.RunPython(forward, backward)]
