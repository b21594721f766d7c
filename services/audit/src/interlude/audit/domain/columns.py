"""The queryable columns of a record, derived from the fields it hashed.

Queries filter on columns (``actor_id``, ``action``, ``outcome``...), not on the hashed bytes,
so a column edited on its own would change what a query returns while the chain still verifies.
Appending derives the columns from the record with ``columns_of``, and every verifier derives
them again from the stored bytes and compares, naming the first record and column that differ.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

import orjson

from interlude.audit.domain.model import Failure

__all__ = ["COLUMNS", "column_failure", "column_mismatch", "columns_of", "exported_columns"]

COLUMNS = ("tenant_id", "occurred_at", "actor_id", "action", "target_type", "target_id",
           "data_subjects", "outcome", "event_id")
"""Every column of ``audit_records`` besides its number, bytes and chain hash, in table order."""


def columns_of(fields: Mapping[str, Any]) -> tuple[Any, ...]:
    """The column values of a record's fields, in the order of ``COLUMNS``."""
    actor, target = fields["actor"], fields["target"]
    return (fields["tenant_id"], datetime.fromisoformat(fields["time"]), actor["id"],
            fields["action"], target["type"], target["id"], list(fields["data_subjects"]),
            fields["outcome"], fields["source"]["event_id"])


def column_mismatch(record_bytes: bytes, stored: Sequence[Any]) -> tuple[str, str] | None:
    """(column, what differs) for the first of the ``stored`` column values (in the order of
    ``COLUMNS``) that the bytes do not give; None when all agree."""
    try:
        derived = columns_of(orjson.loads(record_bytes))
    except (ValueError, KeyError, TypeError, AttributeError):
        return "record", "its bytes are not an audit record, so no column can be derived"
    if derived == tuple(stored):  # the common case, in one comparison
        return None
    if len(stored) != len(COLUMNS):
        return "record", f"{len(stored)} columns were read, not {len(COLUMNS)}"
    for name, value, expected in zip(COLUMNS, stored, derived, strict=True):
        if value != expected:
            shown = value.isoformat() if isinstance(value, datetime) else value
            wanted = expected.isoformat() if isinstance(expected, datetime) else expected
            return name, f"the column says {shown!r}, the hashed bytes say {wanted!r}"
    return None


def column_failure(seq: int, record_bytes: bytes, stored: Sequence[Any]) -> Failure | None:
    """The failure of record ``seq`` when a column disagrees with its bytes."""
    wrong = column_mismatch(record_bytes, stored)
    if wrong is None:
        return None
    name, detail = wrong
    return Failure(seq, "column-changed",
                   f"record {seq}: its {name} column disagrees with its hashed bytes ({detail}):"
                   f" the column was edited, and queries on it no longer find what was recorded")


def exported_columns(columns: Mapping[str, Any]) -> tuple[Any, ...]:
    """The column values of an export's record line (``occurred_at`` an ISO string there), in
    the order of ``COLUMNS``; a column missing is None (and so disagrees)."""
    values = [columns.get(name) for name in COLUMNS]
    occurred = values[1]
    if isinstance(occurred, str):
        with contextlib.suppress(ValueError):
            values[1] = datetime.fromisoformat(occurred)
    return tuple(values)
