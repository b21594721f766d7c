"""Materials: a reading, an exercise, a worksheet or a link a coach shares with a coachee in
their contract, with a note on why now; the coachee opens it and marks it done, with a
reflection if they like. Links are stored, never fetched: Interlude never visits them. What is
shared is the coachee's coaching content, sealed under the contract's content key."""

from __future__ import annotations

from dataclasses import dataclass, replace
from urllib.parse import urlsplit

from interlude.engagement.domain import events as ev
from interlude.engagement.domain.contract import (
    Contract,
    content_party,
    content_subject,
    require_active,
)
from interlude.engagement.domain.errors import Invalid, NotAllowed, NotFound
from interlude.shared.events.registry import Event
from interlude.shared.eventstore.aggregate import AggregateSpec
from interlude.shared.sealing import Secret


@dataclass(frozen=True)
class Material:
    exists: bool = False
    contract_id: str = ""
    opened: bool = False
    done: bool = False


def evolve(state: Material, event: Event) -> Material:
    match event:
        case ev.MaterialShared():
            return Material(exists=True, contract_id=event.contract_id)
        case ev.MaterialOpened():
            return replace(state, opened=True)
        case ev.MaterialDone():
            return replace(state, opened=True, done=True)
    return state


MATERIAL = AggregateSpec(name="material", initial=Material, evolve=evolve,
                         state_type=Material)


def check_link(url: str) -> str:
    """A link as stored: http or https with a host, nothing else (it is never fetched)."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise Invalid("a link is an http or https address with a host, e.g. "
                      "https://example.org/article", field="url")
    return url.strip()


def share(contract: Contract, contract_id: str, user_id: str, kind: ev.MaterialKind,
          title: str, url: str | None, note: str | None) -> list[Event]:
    if content_party(contract, user_id) != "coach":
        raise NotAllowed("the coach shares materials")
    require_active(contract)
    if not title.strip():
        raise Invalid("a material needs a title", field="title")
    if kind == "link" and not url:
        raise Invalid("a link needs its address", field="url")
    subject = content_subject(contract.coachee_id, contract_id)
    return [ev.MaterialShared(
        contract_id=contract_id, coach_id=contract.coach_id, coachee_id=contract.coachee_id,
        kind=kind, title=Secret(title.strip(), subject),
        url=Secret(check_link(url), subject) if url else None,
        note=Secret(note.strip(), subject) if note and note.strip() else None)]


def _coachees(state: Material, contract: Contract, contract_id: str, user_id: str) -> None:
    if not state.exists or state.contract_id != contract_id:
        raise NotFound("there is no such material")
    if content_party(contract, user_id, "material") != "coachee":
        raise NotAllowed("the coachee opens and marks materials done")


def opened(state: Material, contract: Contract, contract_id: str,
           user_id: str) -> list[Event]:
    _coachees(state, contract, contract_id, user_id)
    if state.opened:
        return []
    return [ev.MaterialOpened(contract_id=contract_id, coachee_id=contract.coachee_id)]


def done(state: Material, contract: Contract, contract_id: str, user_id: str,
         reflection: str | None) -> list[Event]:
    _coachees(state, contract, contract_id, user_id)
    if state.done:
        return []
    subject = content_subject(contract.coachee_id, contract_id)
    first = [] if state.opened else [ev.MaterialOpened(contract_id=contract_id,
                                                       coachee_id=contract.coachee_id)]
    return [*first, ev.MaterialDone(contract_id=contract_id, coachee_id=contract.coachee_id,
                                    reflection=Secret(reflection.strip(), subject)
                                    if reflection and reflection.strip() else None)]
