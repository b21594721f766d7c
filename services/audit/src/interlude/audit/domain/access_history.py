""""Who has read my data": what a person is told of the audit records about reads of their
data and attempts refused (never content: the records hold none).

A reader is named (their id and name) where the person may know who they are: their coach,
their sponsor, an org admin or compliance officer, a service. A read made in the community (a
cohort space or a peer circle, where members may go by pseudonyms) shows the reader's part only,
never their id or name: a peer reading the feed must not be unmasked by the history of the
person whose post they read. Other people the record names beside the person (several
people's posts on one feed page) are never shown."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

PSEUDONYMOUS_SERVICES = frozenset({"community"})
STAFF_ROLES = frozenset({"coach", "sponsor", "org_admin", "compliance_officer"})


@dataclass(frozen=True, slots=True)
class Reader:
    kind: Literal["person", "service"]
    roles: tuple[str, ...]
    id: str | None  # None: shown by their part only
    name: str | None = None


@dataclass(frozen=True, slots=True)
class AccessEntry:
    seq: int
    at: str
    reader: Reader
    service: str
    action: str
    content: str
    outcome: Literal["read", "refused"]
    reason: str | None


def named(record: Mapping[str, Any]) -> bool:
    """Whether the person is shown who the reader of ``record`` is."""
    actor = record.get("actor") or {}
    if _kind(actor) == "service":
        return True
    service = str(record.get("action", "")).partition(".")[0]
    if service in PSEUDONYMOUS_SERVICES:
        return False
    return bool(STAFF_ROLES & set(actor.get("roles") or ()))


def _kind(actor: Mapping[str, Any]) -> Literal["person", "service"]:
    """A person signed in (``user``), or one of the product's services (``system``)."""
    return "person" if actor.get("kind", "user") == "user" else "service"


def reader_id(record: Mapping[str, Any]) -> str | None:
    """The reader's id where the person is shown it (see :func:`named`)."""
    return str((record.get("actor") or {}).get("id", "")) if named(record) else None


def entry(seq: int, record: Mapping[str, Any], names: Mapping[str, str | None]) -> AccessEntry:
    """One record as the person whose data it was sees it; ``names`` are the readers' names
    (opened for this person), by id."""
    actor = record.get("actor") or {}
    kind = _kind(actor)
    shown = reader_id(record)
    service, _, action = str(record.get("action", "")).partition(".")
    return AccessEntry(
        seq=seq, at=str(record.get("time", "")),
        reader=Reader(kind=kind, roles=tuple(sorted(actor.get("roles") or ())), id=shown,
                      name=names.get(shown) if shown and kind == "person" else None),
        service=service, action=action or "read",
        content=str((record.get("target") or {}).get("type", "")),
        outcome="refused" if record.get("outcome") == "denied" else "read",
        reason=record.get("reason") if record.get("outcome") == "denied" else None)
