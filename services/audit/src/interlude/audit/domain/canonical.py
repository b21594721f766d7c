"""The canonical bytes of an audit record: what is stored, hashed and signed.

JSON with sorted keys, no whitespace, UTF-8 (not ``\\u`` escapes). Only JSON types are
accepted: ``dict`` with ``str`` keys (any ``Mapping``), ``list``/``tuple``, ``str``, ``int``,
finite ``float``, ``bool`` and ``None``. Anything else (a ``datetime``, a ``UUID``, a
``Decimal``, bytes) raises ``TypeError``: the caller decides its textual form, so the bytes
never depend on a default hidden in a serialiser.

The bytes are produced once, when a record is appended, and stored. Verification hashes the
stored bytes and never serialises again, so a later change in this function (or in Python's
float formatting) cannot break an old chain.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from typing import Any

__all__ = ["canonical_bytes"]

_ENCODER = json.JSONEncoder(
    ensure_ascii=False, allow_nan=False, sort_keys=True, separators=(",", ":")
)


def canonical_bytes(record: Mapping[str, Any]) -> bytes:
    """Encode ``record`` as canonical JSON bytes.

    Raises ``TypeError`` for a value that is not a JSON type (datetimes must already be ISO
    strings) or a key that is not a string, and ``ValueError`` for a NaN or infinite float or
    a string that cannot be encoded as UTF-8 (a lone surrogate).
    """
    if not isinstance(record, Mapping):
        raise TypeError(f"an audit record is a mapping, not {type(record).__name__}")
    return _ENCODER.encode(_plain(record, "$")).encode("utf-8")


_EXACT = frozenset({str, int, bool, type(None)})
"""Types passed through as they are without a closer look: the fast path of most values."""


def _plain(value: Any, path: str) -> Any:
    """A copy of ``value`` made only of dict, list, str, int, float, bool and None."""
    kind = type(value)
    if kind is dict:  # the common case first, the path built only for nested values
        plain = {}
        for key, item in value.items():
            if type(key) is not str:
                raise TypeError(f"{path}: key {key!r} is not a string")
            plain[key] = item if type(item) in _EXACT else _plain(item, f"{path}.{key}")
        return plain
    if kind in _EXACT:
        return value
    # bool and int before float: bool is an int, and neither needs a finiteness check.
    if value is None or isinstance(value, str | bool | int):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"{path}: {value!r} has no JSON form")
        return value
    if isinstance(value, Mapping):
        plain = {}
        for key, item in value.items():
            if not isinstance(key, str):
                raise TypeError(f"{path}: key {key!r} is not a string")
            plain[key] = _plain(item, f"{path}.{key}")
        return plain
    if isinstance(value, list | tuple):
        return [item if type(item) in _EXACT else _plain(item, f"{path}[{index}]")
                for index, item in enumerate(value)]
    raise TypeError(
        f"{path}: {type(value).__name__} is not a JSON type; convert it first "
        "(a datetime to its ISO string, a UUID to str)"
    )
