"""The API layer's common ground: route dependencies, the answer to a command, read-your-writes
and the problem responses a route declares, so that every service's ``/openapi.json``
describes every answer the same way.

    ServiceDep = Annotated[Community, Depends(app_dependency("community"))]
    ContextDep = Annotated[CommandContext, Depends(context_dependency("community"))]

    @router.post("/v1/things", status_code=201, response_model=WrittenPublic,
                 responses=problems(401, 403, 404, 409, 422))
    async def create(body: ThingCreate, deps: ServiceDep, ctx: ContextDep,
                     key: IdempotencyKey = None) -> WrittenPublic:
        return WrittenPublic.of(await things.create(deps, ctx, body.to_command(), key))
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

from fastapi import Header, Path, Query, Request
from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
)

from interlude.shared.auth import PrincipalDep
from interlude.shared.events.envelope import CommandContext
from interlude.shared.http.problems import MEDIA_TYPE
from interlude.shared.projections.waiter import PositionWaiter

ID_PATTERN = r"^[A-Za-z0-9_-]{1,64}$"
# the largest integer PostgreSQL's bigint (and a stream position) holds: a cursor, a position
# or a count past it is refused as invalid rather than failing in the database driver
MAX_INT = 2**63 - 1
MAX_INT32 = 2**31 - 1  # PostgreSQL's int: a number a read model keeps as one (a message's)
EARLIEST = datetime(1900, 1, 1, tzinfo=UTC)
LATEST = datetime(9000, 1, 1, tzinfo=UTC)
WAIT_SECONDS = 5.0  # how long a read with ?after= waits for its read model, at most
FIRST_WAIT = 0.25  # before asking the stream whether the position was ever written
log = logging.getLogger(__name__)

IdempotencyKey = Annotated[str | None, Header(
    alias="Idempotency-Key", max_length=200,
    description="any unique string: a request retried with the same key is applied once")]
ItemId = Annotated[str, Path(pattern=ID_PATTERN)]
After = Annotated[int, Query(ge=0, le=MAX_INT, description="a position a write answered: wait "
                                                        "until this read reflects it")]


def in_range(value: datetime) -> datetime:
    """``value`` if it lies between 1900 and 9000 (a naive one read as UTC): an instant at the
    edge of what a datetime holds cannot be turned to UTC, nor stored, nor have hours added."""
    try:
        utc = value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)
    except OverflowError:
        utc = EARLIEST - timedelta(days=1)  # beyond what a datetime holds in UTC
    if not EARLIEST <= utc < LATEST:
        raise ValueError("a date between 1900 and 9000 (UTC) is expected")
    return value


def as_text(value: Any) -> Any:
    """``value`` unless it is a number (or a numeric string): pydantic would read one as seconds
    since 1970, where the OpenAPI promises an ISO 8601 date-time."""
    if isinstance(value, int | float) or (isinstance(value, str) and _NUMBER.fullmatch(value)):
        raise ValueError("an ISO 8601 date and time is expected, e.g. 2026-12-03T09:00:00+01:00")
    return value


_NUMBER = re.compile(r"\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*")
# an instant a client sends (a filter's bound, a session's start): ISO 8601 with its offset,
# in range
Instant = Annotated[AwareDatetime, BeforeValidator(as_text), AfterValidator(in_range)]


class WrittenPublic(BaseModel):
    """The answer to a command: the id it wrote and the position to pass as ``?after=``."""

    id: str
    position: int = Field(description="pass as ?after= to read this write back")

    @classmethod
    def of(cls, written: tuple[str, int]) -> WrittenPublic:
        return cls(id=written[0], position=written[1])


class ProblemDetails(BaseModel):
    """RFC 9457 problem details, as every error of every service is answered."""

    model_config = ConfigDict(extra="allow")
    type: str = Field(description="stable: clients may switch on it "
                                  "(urn:interlude:problem:<slug>)")
    title: str
    status: int
    detail: str = Field(description="what went wrong and what to do about it")
    instance: str | None = None


_MEANINGS = {400: "the request is malformed", 401: "no valid token",
             403: "refused: the organisation's policy or the caller's part",
             404: "nothing the caller may see is there", 409: "in conflict with the current state",
             413: "the request is too large", 422: "invalid input, the field named",
             429: "too many requests: see Retry-After",
             503: "a dependency is unavailable: see Retry-After"}


def problems(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The ``responses=`` of a route that may answer these problems (503 always: any route may
    meet an outage)."""
    schema = ProblemDetails.model_json_schema()
    return {status: {"description": _MEANINGS.get(status, "a problem"),
                     "content": {MEDIA_TYPE: {"schema": schema}}}
            for status in sorted({*statuses, 503})}


# what most routes may answer besides their own: a read is refused (401, 403), finds nothing
# the caller may see (404) or a bad parameter (422); a write also meets the current state (409)
# and a body too large (413); problems() adds 503 to both
READ_PROBLEMS = problems(401, 403, 404, 422)
WRITE_PROBLEMS = problems(401, 403, 404, 409, 413, 422)


def app_dependency(name: str) -> Callable[[Request], Awaitable[Any]]:
    """A dependency answering the service's wired application object (``app.state.<name>``)."""

    async def dependency(request: Request) -> Any:  # async: no thread hop per request
        return getattr(request.app.state, name)

    return dependency


def context_dependency(name: str) -> Callable[..., Awaitable[CommandContext]]:
    """A dependency answering the caller's command context: tenant and actor from the token,
    never from the body."""

    async def dependency(principal: PrincipalDep, request: Request) -> CommandContext:
        context: CommandContext = getattr(request.app.state, name).context(
            principal.tenant_id, principal.actor, policy_version=principal.policy_version)
        return context

    return dependency


@dataclass(frozen=True)
class ReadModels:
    """Where a service's reads wait for their writes: its waiter, the durable consumer that
    feeds the read models, and the stream it reads (set as ``app.state.read_models``)."""

    waiter: PositionWaiter
    consumer: str
    stream: str
    # the stream's last position (the store's ``last_position``): what a write answered, at most
    written: Callable[[], Awaitable[int]] | None = None

    async def caught_up(self, after: int | None) -> bool:
        """Wait (bounded) until the read models have seen position ``after``; False if they
        have not within the bound (the answer then says ``fresh: false``), or at once when no
        write has answered ``after`` yet: waiting would not bring it, and a request that
        names a position far ahead would hold a connection, and poll, for the whole bound."""
        if not after:
            return True
        if await self.waiter.wait(self.consumer, self.stream, after, timeout=FIRST_WAIT):
            return True  # the usual case, a write just made: no question to the stream
        if self.written is not None and after > await self._last_written(after):
            return False
        return await self.waiter.wait(self.consumer, self.stream, after,
                                      timeout=WAIT_SECONDS - FIRST_WAIT)

    async def _last_written(self, after: int) -> int:
        assert self.written is not None
        try:
            return await self.written()
        except Exception:  # the stream unreachable: wait as if the position had been written
            log.debug("the last position of %s is unknown: waiting for %s", self.stream, after)
            return after


async def caught_up(request: Request, after: int | None) -> bool:
    """:meth:`ReadModels.caught_up` of the service answering ``request``."""
    read_models: ReadModels = request.app.state.read_models
    return await read_models.caught_up(after)
