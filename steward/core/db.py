"""Small database helpers that the ORM lacks."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import connection, models


def update_each(objs: Sequence[models.Model], fields: Sequence[str]) -> None:
    """Write ``fields`` of each object to its row: one ``UPDATE ... WHERE id = %s`` run with
    ``executemany`` (psycopg sends it in one pipeline).

    ``bulk_update`` builds a ``CASE WHEN id = ...`` expression per object and field, whose Python
    cost grows with the batch; the live pipeline updates a few hundred rows per batch.
    """
    if not objs:
        return
    model = type(objs[0])
    meta = model._meta
    concrete = [meta.get_field(name) for name in fields]
    columns = [str(getattr(field, "column", name)) for field, name in zip(concrete, fields, strict=True)]
    quote = connection.ops.quote_name
    sets = ", ".join(f"{quote(column)} = %s" for column in columns)
    sql = f"UPDATE {quote(meta.db_table)} SET {sets} WHERE {quote(str(meta.pk.column))} = %s"  # type: ignore[union-attr]  # noqa: S608
    rows = [
        [field.get_db_prep_save(getattr(obj, field.attname), connection) for field in concrete]  # type: ignore[union-attr]
        + [obj.pk]
        for obj in objs
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)
