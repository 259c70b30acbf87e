"""PostgreSQL only: add each indexed document's adjacent word pairs to its tsvector.

Phrase searches require the pair lexemes (``search.pair_lexemes``) besides the positional match,
so that GIN finds the rows holding the phrase's pairs instead of every row holding its words.
Existing rows get their pairs from the record's text as ``search.document`` folds it today (this
migration uses the app's function on purpose: the pairs must be the ones new rows get). The GIN
index is dropped during the update and rebuilt after, which is much faster than updating it row
by row. SQLite's FTS5 index stores positions and needs nothing.
"""

from django.db import migrations

BATCH = 5_000


def forward(apps, schema_editor):  # type: ignore[no-untyped-def]
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    from steward.archive.search import document, pair_lexemes

    with connection.cursor() as cur:
        cur.execute("DROP INDEX IF EXISTS archive_record_fts_tsv")
        last = 0
        while True:
            cur.execute(
                "SELECT r.id, r.text, r.author_name FROM archive_record r "
                "JOIN archive_record_fts f ON f.record_id = r.id "
                "WHERE r.id > %s ORDER BY r.id LIMIT %s",
                [last, BATCH],
            )
            rows = cur.fetchall()
            if not rows:
                break
            cur.executemany(
                "UPDATE archive_record_fts SET tsv = tsv || array_to_tsvector(%s::text[]) "
                "WHERE record_id = %s",
                [(pair_lexemes(document(text, author)), pk) for pk, text, author in rows],
            )
            last = rows[-1][0]
        cur.execute("CREATE INDEX archive_record_fts_tsv ON archive_record_fts USING GIN (tsv)")


class Migration(migrations.Migration):
    dependencies = [("archive", "0006_deadline_alert")]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
