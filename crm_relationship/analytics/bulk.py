"""Moving whole columns between PostgreSQL and pandas with COPY.

A result of a hundred thousand rows fetched as Python tuples costs more time and memory than the
query that produced it; as CSV through COPY it arrives as one buffer that pandas parses into typed
columns. The other way, rows go out as CSV a slice at a time, so that a bulk write never holds
more than one slice as text. Arrow renders that CSV: pandas' own writer formats each float in Python
and took about 1 s for a hundred thousand partner rows, Arrow about a fifth of that.
"""

import io

import pandas as pd
import pyarrow as pa
from pyarrow import csv as pa_csv

from odoo.tools import SQL

WRITE_SLICE = 10_000
# The largest id of a table keyed by an int4 serial: the end of the last range of ``id_ranges``.
ID_MAX = 2**31 - 1


def read_frame(cr, query, params, dtype):
    """Run ``query`` with ``params`` and return its rows as a DataFrame with the given column types.

    Just-in-time compilation is off for the rest of the transaction: the aggregates read here are
    costed high enough for PostgreSQL to compile them, once in each parallel worker, and compiling
    the customers' summary took longer than it saved on the scan (EXPLAIN ANALYZE shows both)."""
    buffer = io.BytesIO()
    cr.execute("SET LOCAL jit = off")
    sql = cr.mogrify(query, params).decode()
    cr.copy_expert(f"COPY ({sql}) TO STDOUT WITH (FORMAT csv, HEADER)", buffer)
    buffer.seek(0)
    return pd.read_csv(buffer, dtype=dtype)


def id_ranges(parts, after=0):
    """Pair each ``(upto, part)`` of ``parts`` (ascending ``upto``) with the id range ``(after, upto]`` it
    covers, as ``(after, upto, part)``, and close with ``(after, ID_MAX, None)``: the ids after the last
    part, so that whoever writes by range also reaches the rows past it."""
    for upto, part in parts:
        yield after, upto, part
        after = upto
    yield after, ID_MAX, None


def write_frame(cr, table, frame):
    """Append the rows of ``frame`` to ``table`` (columns by name); empty cells become NULL."""
    cr.copy_expert(
        f"COPY {table} ({', '.join(frame.columns)}) FROM STDIN WITH (FORMAT csv)",
        _CsvSlices(frame, WRITE_SLICE),
        size=1 << 20,
    )


class _CsvSlices(io.RawIOBase):
    """A readable file of ``frame`` as CSV, rendered one slice of rows at a time as COPY reads it."""

    def __init__(self, frame, rows):
        super().__init__()
        self._frame, self._rows, self._next, self._pending = frame, rows, 0, b""

    def readable(self):
        return True

    def readinto(self, buffer):
        if not self._pending and self._next < len(self._frame):
            part = self._frame.iloc[self._next : self._next + self._rows]
            self._next += self._rows
            text = io.BytesIO()
            # NaN and None become empty unquoted cells, which COPY reads as NULL.
            pa_csv.write_csv(
                pa.Table.from_pandas(part, preserve_index=False), text, pa_csv.WriteOptions(include_header=False)
            )
            self._pending = text.getvalue()
        size = min(len(buffer), len(self._pending))
        buffer[:size] = self._pending[:size]
        self._pending = self._pending[size:]
        return size


def clone_rows(model, template_id, overrides, returning=None):
    """Insert copies of the row ``template_id`` of ``model``'s table, one per value of ``overrides``
    (column: (SQL type, values)), every other stored column as in the template. Returns
    ``(new id, returning column)`` pairs when ``returning`` names a column."""
    values = list(overrides.values())
    if not values or not values[0][1]:
        return []
    columns = [
        name
        for name, field in model._fields.items()
        if field.store and field.column_type and name != "id" and name not in overrides
    ]
    names = list(overrides)
    query = SQL(
        "INSERT INTO %(table)s (%(columns)s) SELECT %(values)s FROM %(table)s t,"
        " unnest(%(arrays)s) AS s(%(names)s) WHERE t.id = %(template)s %(returning)s",
        table=SQL.identifier(model._table),
        columns=SQL(", ").join(SQL.identifier(name) for name in [*columns, *names]),
        values=SQL(", ").join(
            [*(SQL("t.%s", SQL.identifier(name)) for name in columns), *(SQL("s.%s", SQL.identifier(n)) for n in names)]
        ),
        arrays=SQL(", ").join(SQL("%s::%s[]", array, SQL(kind)) for kind, array in values),
        names=SQL(", ").join(SQL.identifier(name) for name in names),
        template=template_id,
        returning=SQL("RETURNING id, %s", SQL.identifier(returning)) if returning else SQL(""),
    )
    model.env.cr.execute(query)
    return model.env.cr.fetchall() if returning else []
