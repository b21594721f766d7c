"""Subject access (GDPR articles 15 and 20): every service answers, over NATS, with its section
of one person's data; audit gathers the sections into the person's export.

The protocol, core NATS request and reply:

- The gatherer publishes ``{"tenant_id", "subject_id", "export_id"}`` to
  ``<privacy prefix>.section.<service>`` for every installed service, with one reply inbox of
  its own. Only the gatherer may publish there, and each service may subscribe only to its own
  subject (:mod:`interlude.shared.nats_permissions`), so no one else can ask for a person's data.
- A service answers from its API processes (a queue group: one replica answers) with its
  section as JSON, in parts of at most :data:`PART_BYTES` (a person's history can outgrow a
  NATS message): each part carries the headers ``Interlude-Service`` and ``Interlude-Part``
  (0, 1, ...), the last one also ``Interlude-Last``. A section that fails answers one part with
  ``Interlude-Error`` (the kind of error, never its text: it could hold content).
- The gatherer waits until every service has answered or the deadline passes; a service that
  did not answer in time, or failed, is *named* in the result (:class:`Gathered.missing`),
  never silently left out.

A section holds what the service keeps about the person and only that: their own content opened
(it is theirs), other people's personal data left out or redacted (another member's real name,
a coach's notes on someone else, anything sealed for someone else).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Awaitable, Callable, Collection, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import orjson
from nats.aio.client import Client as NATS
from nats.aio.msg import Msg
from nats.aio.subscription import Subscription

from interlude.shared.projections.sealed import opened_or_none
from interlude.shared.sealing import Sealer, is_sealed
from interlude.shared.sealing.keys import check_token

if TYPE_CHECKING:
    from interlude.shared.runtime import Platform

log = logging.getLogger(__name__)

GATHERER = "audit"  # the service that gathers exports (the one allowed to ask)
PART_BYTES = 256 * 1024
SERVICE, PART, LAST, ERROR = ("Interlude-Service", "Interlude-Part", "Interlude-Last",
                              "Interlude-Error")
Section = Callable[[str, str], Awaitable[dict[str, Any]]]
"""(tenant id, subject id) -> the service's section of that person's data, JSON-able."""


def privacy_prefix(namespace: str = "") -> str:
    return f"{namespace}_privacy" if namespace else "privacy"


def section_subject(service: str, namespace: str = "") -> str:
    """Where ``service`` is asked for its section of a person's data."""
    return f"{privacy_prefix(namespace)}.section.{check_token(service, 'service')}"


def parts(body: bytes) -> list[bytes]:
    """``body`` cut into parts of at most :data:`PART_BYTES` (one empty part for nothing)."""
    return [body[i:i + PART_BYTES] for i in range(0, len(body), PART_BYTES)] or [b""]


async def answer_sections(nc: NATS, service: str, namespace: str,
                          section: Section) -> Subscription:
    """Answer the gatherer's requests for ``service``'s section (until the subscription or the
    connection ends)."""

    async def on_request(msg: Msg) -> None:
        error = None
        try:
            asked = orjson.loads(msg.data)
            tenant = check_token(str(asked["tenant_id"]), "tenant")
            subject = check_token(str(asked["subject_id"]), "subject")
            body = orjson.dumps(await section(tenant, subject), default=str)
        except Exception as err:  # answer at once rather than leave the gatherer waiting
            log.warning("subject access: %s could not give its section (%s)", service,
                        type(err).__name__)
            body, error = b"", type(err).__name__
        pieces = parts(body)
        for i, piece in enumerate(pieces):
            headers = {SERVICE: service, PART: str(i)}
            if i == len(pieces) - 1:
                headers[LAST] = "1"
            if error is not None:
                headers[ERROR] = error
            await nc.publish(msg.reply, piece, headers=headers)
        await nc.flush()

    return await nc.subscribe(section_subject(service, namespace), queue=f"privacy-{service}",
                              cb=on_request)


@dataclass
class Gathered:
    """Every section that came, by service, and every service that did not, with why."""

    sections: dict[str, Any] = field(default_factory=dict)
    missing: dict[str, str] = field(default_factory=dict)


@dataclass
class _Answer:
    pieces: dict[int, bytes] = field(default_factory=dict)
    last: int | None = None
    error: str | None = None

    @property
    def complete(self) -> bool:
        return self.last is not None and len(self.pieces) == self.last + 1


async def gather_sections(nc: NATS, services: Iterable[str], namespace: str, tenant_id: str,
                          subject_id: str, export_id: str, deadline_s: float) -> Gathered:
    """Ask every service in ``services`` for its section of ``subject_id``'s data and wait
    (at most ``deadline_s``) for their answers."""
    wanted = sorted(set(services))
    answers: dict[str, _Answer] = {}
    finished = asyncio.Event()

    async def on_part(msg: Msg) -> None:
        headers = msg.headers or {}
        service = headers.get(SERVICE, "")
        if service not in wanted:
            return
        answer = answers.setdefault(service, _Answer())
        with contextlib.suppress(ValueError):
            answer.pieces[int(headers.get(PART, ""))] = msg.data
            if headers.get(LAST):
                answer.last = int(headers[PART])
        if headers.get(ERROR):
            answer.error = headers[ERROR]
        if all(s in answers and answers[s].complete for s in wanted):
            finished.set()

    inbox = nc.new_inbox()
    subscription = await nc.subscribe(inbox, cb=on_part)
    try:
        request = orjson.dumps({"tenant_id": tenant_id, "subject_id": subject_id,
                                "export_id": export_id})
        for service in wanted:
            await nc.publish(section_subject(service, namespace), request, reply=inbox)
        await nc.flush()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(finished.wait(), deadline_s)
    finally:
        await subscription.unsubscribe()
    gathered = Gathered()
    for service in wanted:
        answer = answers.get(service)
        if answer is None or not answer.complete:
            gathered.missing[service] = f"did not answer within {deadline_s:g} s"
        elif answer.error is not None:
            gathered.missing[service] = f"could not give its section ({answer.error})"
        else:
            body = b"".join(answer.pieces[i] for i in range(len(answer.pieces)))
            gathered.sections[service] = orjson.loads(body)
    return gathered


LEFT_OUT = "[someone else's: left out]"


async def opened_if_theirs(sealer: Sealer, tenant_id: str,
                           stored: str | dict[str, Any] | None,
                           subjects: str | Collection[str]) -> str | None:
    """A kept sealed value (``projections.sealed``) opened for a person's export: the
    plaintext when it is sealed for them (``subjects``: their id, and any key of theirs such
    as a contract's content key), :data:`LEFT_OUT` when it is sealed for someone else, None
    when absent or erased."""
    theirs = {subjects} if isinstance(subjects, str) else set(subjects)
    if stored is None:
        return None
    value = json.loads(stored) if isinstance(stored, str) else stored
    sealed = value.get("sealed") if isinstance(value, dict) else None
    if not isinstance(sealed, dict) or not is_sealed(sealed) \
            or str(sealed.get("sub")) not in theirs:
        return LEFT_OUT
    return await opened_or_none(sealer, tenant_id, value)


async def answer_with_platform(platform: Platform, section: Section) -> Subscription:
    """:func:`answer_sections` for the service ``platform`` runs (its API's ``build`` calls
    this)."""
    settings = platform.settings
    return await answer_sections(platform.nc, settings.service_name,
                                 settings.stream_namespace, section)
