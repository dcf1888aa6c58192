"""Moving whole columns between PostgreSQL and pandas with COPY.

A result of a hundred thousand rows fetched as Python tuples costs more time and memory than the
query that produced it; as CSV through COPY it arrives as one buffer that pandas parses into typed
columns. The same goes the other way for bulk writes into a temporary table.
"""

import io

import pandas as pd


def read_frame(cr, query, params, dtype):
    """Run ``query`` with ``params`` and return its rows as a DataFrame with the given column types."""
    buffer = io.BytesIO()
    sql = cr.mogrify(query, params).decode()
    cr.copy_expert(f"COPY ({sql}) TO STDOUT WITH (FORMAT csv, HEADER)", buffer)
    buffer.seek(0)
    return pd.read_csv(buffer, dtype=dtype)


def write_frame(cr, table, frame):
    """Append the rows of ``frame`` to ``table`` (columns by name); empty cells become NULL."""
    buffer = io.StringIO()
    frame.to_csv(buffer, index=False, header=False)
    buffer.seek(0)
    cr.copy_expert(f"COPY {table} ({', '.join(frame.columns)}) FROM STDIN WITH (FORMAT csv)", buffer)
