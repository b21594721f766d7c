"""What audit's routes answer, so that ``/openapi.json`` describes every answer. Records are
answered as stored (their canonical JSON), so their models allow fields a later record version
adds rather than dropping them."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

import orjson
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from interlude.audit.domain.access_history import AccessEntry
from interlude.audit.domain.model import FailureKind, Verification
from interlude.audit.domain.retention import Purged
from interlude.audit.projections.exports import StoredExport
from interlude.shared.kit import RequestBody
from interlude.shared.text import SingleLine


class PurgeCreate(RequestBody):
    reason: Annotated[str, SingleLine(500)] = Field(description="why, for the record")


class JwkPublic(BaseModel):
    """An Ed25519 public key (RFC 8037) and the key id checkpoints name it by."""

    kty: Literal["OKP"]
    crv: Literal["Ed25519"]
    kid: str
    use: Literal["sig"]
    x: str = Field(description="the public key, base64url without padding")


class KeysPublic(BaseModel):
    keys: list[JwkPublic]


class ActorPublic(BaseModel):
    model_config = ConfigDict(extra="allow")
    id: str
    roles: list[str]
    kind: str


class SourcePublic(BaseModel):
    """Where the record came from: the event, its stream and position."""

    model_config = ConfigDict(extra="allow")
    event_id: str
    stream: str
    position: int | None
    index: int


class TargetPublic(BaseModel):
    model_config = ConfigDict(extra="allow")
    type: str
    id: str


class RecordPublic(BaseModel):
    """One record as stored, with its number and chain hash. Who, what, to whom, when, from
    where and the outcome; never content. A retention purge's own record adds ``purge``."""

    model_config = ConfigDict(extra="allow")
    seq: int
    v: int
    tenant_id: str
    time: str = Field(description="ISO 8601, as the event stated it")
    actor: ActorPublic
    request_id: str | None
    source_address: str | None
    policy_version: int | None
    source: SourcePublic
    action: str
    target: TargetPublic
    data_subjects: list[str]
    outcome: Literal["succeeded", "denied"]
    reason: str | None
    chain_hash: str = Field(description="hex")


class UnreadableRecordPublic(BaseModel):
    """A record whose stored bytes are no longer an audit record: they were edited in the
    database (``GET /v1/audit/verify`` names what happened). Shown, not left out."""

    seq: int
    chain_hash: str = Field(description="hex")
    unreadable: str = Field(description="why it cannot be shown as a record")
    stored: str = Field(description="the bytes stored, as text")

    @classmethod
    def of(cls, shown: dict[str, Any], error: ValidationError) -> UnreadableRecordPublic:
        wrong = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'record'}: {e['msg']}"
                          for e in error.errors()[:3])
        stored = shown.get("stored")
        if not isinstance(stored, str):
            stored = orjson.dumps({k: v for k, v in shown.items()
                                   if k not in ("seq", "chain_hash")}).decode()
        return cls(seq=shown["seq"], chain_hash=shown["chain_hash"], stored=stored,
                   unreadable=f"record {shown['seq']}'s stored bytes are not an audit record "
                              f"({wrong}): they were changed in the database; the trail's "
                              f"verification names what happened")


class CountPublic(BaseModel):
    total: int
    by_outcome: dict[str, int]


class RecordsPublic(BaseModel):
    records: list[RecordPublic | UnreadableRecordPublic]
    next_cursor: int | None = Field(description="pass as ?cursor= for the next page")
    count: CountPublic = Field(description="every record the filters match, not only this page")

    @classmethod
    def of(cls, found: dict[str, Any]) -> RecordsPublic:
        return cls.model_validate({**found, "records": [_shown(r) for r in found["records"]]})


def _shown(record: dict[str, Any]) -> RecordPublic | UnreadableRecordPublic:
    try:
        return RecordPublic.model_validate(record)
    except ValidationError as error:
        return UnreadableRecordPublic.of(record, error)


class FailurePublic(BaseModel):
    seq: int = Field(description="the record it concerns (a checkpoint's: its size)")
    kind: FailureKind
    message: str


class VerificationPublic(BaseModel):
    ok: bool
    records_checked: int
    checkpoints_checked: int
    warnings: list[str]
    first_failure: FailurePublic | None
    failures: list[FailurePublic]

    @classmethod
    def of(cls, result: Verification) -> VerificationPublic:
        failures = [FailurePublic(seq=f.seq, kind=f.kind, message=f.message)
                    for f in result.failures]
        return cls(ok=result.ok, records_checked=result.records_checked,
                   checkpoints_checked=result.checkpoints_checked, warnings=result.warnings,
                   first_failure=failures[0] if failures else None, failures=failures)


class CheckpointPublic(BaseModel):
    tenant_id: str
    size: int
    merkle_root: str
    chain_head: str
    lower_bound: int
    issued_at: str
    key_id: str
    anchor: str


class PurgedPublic(BaseModel):
    purged: int = Field(description="how many records left the trail")
    lower_bound: int = Field(description="the trail now starts at this record")
    record: int | None = Field(description="the purge's own record (none: nothing purged)")
    checkpoint: CheckpointPublic | None

    @classmethod
    def of(cls, done: Purged) -> PurgedPublic:
        checkpoint = None if done.checkpoint is None else done.checkpoint.as_dict()
        return cls.model_validate({"purged": done.purged, "lower_bound": done.lower_bound,
                                   "record": done.record, "checkpoint": checkpoint})


# The lines of the JSON Lines answers (application/x-ndjson), one JSON object each

class KeysLine(BaseModel):
    type: Literal["keys"]
    tenant_id: str
    keys: list[JwkPublic]


class RecordLine(BaseModel):
    type: Literal["record"]
    seq: int
    record: str = Field(description="the exact canonical bytes that were hashed, as text")
    chain_hash: str
    columns: dict[str, Any] = Field(description="the columns queries filter on, as stored")


class CheckpointLine(BaseModel):
    type: Literal["checkpoint"]
    body: str = Field(description="the exact signed bytes, as text")
    signature: str = Field(description="Ed25519, hex")


class OcsfLine(BaseModel):
    """An OCSF 1.3 event (API Activity, Authentication or Entity Management)."""

    model_config = ConfigDict(extra="allow")
    class_uid: int
    class_name: str
    category_uid: int
    activity_id: int
    type_uid: int
    time: int = Field(description="milliseconds since the epoch")
    metadata: dict[str, Any]


ExportLine = Annotated[KeysLine | RecordLine | CheckpointLine, Field(discriminator="type")]


class ReaderPublic(BaseModel):
    """Who read: a person or a service, their roles, and their id and name where the person
    whose data it was may know them (never a peer's in a cohort space)."""

    kind: Literal["person", "service"]
    roles: list[str]
    id: str | None = Field(description="none: shown by their part only (a peer in a space)")
    name: str | None = Field(description="none where not shown, or the reader was forgotten")


class AccessEntryPublic(BaseModel):
    """One read of the caller's data, or an attempt refused; never the content."""

    at: str = Field(description="ISO 8601")
    reader: ReaderPublic
    service: str = Field(description="the service that answered, e.g. engagement")
    action: str = Field(description="what was attempted: read, list, export...")
    content: str = Field(description="what kind of content: checkins, messages, goals...")
    outcome: Literal["read", "refused"]
    reason: str | None = Field(description="for a refusal: the block or rule that refused")

    @classmethod
    def of(cls, found: AccessEntry) -> AccessEntryPublic:
        r = found.reader
        return cls(at=found.at, reader=ReaderPublic(kind=r.kind, roles=list(r.roles), id=r.id,
                                                    name=r.name),
                   service=found.service, action=found.action, content=found.content,
                   outcome=found.outcome, reason=found.reason)


class AccessHistoryPublic(BaseModel):
    accesses: list[AccessEntryPublic] = Field(description="newest first")
    next_cursor: int | None = Field(description="pass as ?cursor= for the next page")


class ExportCreate(RequestBody):
    """Ask for an export of my data; a compliance officer may ask for someone else's, with a
    reason the audit trail keeps."""

    subject_id: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{1,64}$")] | None = \
        Field(None, description="whose data (a compliance officer only); none: my own")
    reason: Annotated[str, SingleLine(500)] | None = Field(
        None, description="why (required when asking for someone else's data)")


class ExportPublic(BaseModel):
    """An export: what it holds, what is missing from it, and until when it can be
    downloaded (``/archive``, by whoever asked for it)."""

    id: str
    subject_id: str
    requested_by: str
    reason: str | None
    requested_at: datetime
    expires_at: datetime
    sections: list[str] = Field(description="the parts of the product whose data it holds")
    missing: dict[str, str] = Field(description="parts that did not answer, and why")
    size_bytes: int

    @classmethod
    def of(cls, stored: StoredExport) -> ExportPublic:
        return cls(id=stored.export_id, subject_id=stored.subject_id,
                   requested_by=stored.requester_id, reason=stored.reason,
                   requested_at=stored.requested_at, expires_at=stored.expires_at,
                   sections=stored.sections, missing=stored.missing,
                   size_bytes=stored.size_bytes)


class ExportsPublic(BaseModel):
    exports: list[ExportPublic] = Field(description="newest first; expired ones are gone")
