"""The service kit: ids a retried request gets again, read auditing, declared problems."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import FastAPI

from interlude.shared.events.envelope import Actor
from interlude.shared.kit import ReadModels, ServiceApp, WrittenPublic, problems
from interlude.shared.kit.api import WAIT_SECONDS

NOW = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)


class Recorder:
    def __init__(self) -> None:
        self.recorded: list = []

    async def record(self, access) -> None:
        self.recorded.append(access)


def _app(recorder: Recorder | None = None) -> ServiceApp:
    return ServiceApp(policy=None, pool=None, sealer=None, id_secret=b"k" * 32,  # type: ignore[arg-type]
                      access=recorder, clock=lambda: NOW)  # type: ignore[arg-type]


def test_a_retried_request_gets_the_same_id_and_another_caller_does_not():
    app = _app()
    alice = app.context("t1", Actor(id="alice", kind="user"))
    bob = app.context("t1", Actor(id="bob", kind="user"))
    assert app.new_id(alice, "check-in", "key-1") == app.new_id(alice, "check-in", "key-1")
    assert app.new_id(alice, "check-in", "key-1") != app.new_id(bob, "check-in", "key-1")
    assert app.new_id(alice, "check-in", None) != app.new_id(alice, "check-in", None)
    assert alice.now == NOW


def test_a_reaction_takes_its_time_and_cause_from_the_event():
    app = _app()
    later = datetime(2026, 12, 3, tzinfo=UTC)
    ctx = app.context("t1", Actor(id="engagement", kind="service"), causation_id="ev-1",
                      now=later)
    assert (ctx.causation_id, ctx.now) == ("ev-1", later)


async def test_a_read_names_whose_content_it_was_and_an_empty_read_records_nothing():
    recorder = Recorder()
    app = _app(recorder)
    ctx = app.context("t1", Actor(id="coach", kind="user"))
    await app.record_read(ctx, "check-in", "c1", "coachee")
    await app.record_read(ctx, "feed", "s1", ["a", "b"])
    await app.record_read(ctx, "feed", "s1", [])
    assert [a.subjects() for a in recorder.recorded] == [["coachee"], ["a", "b"]]


async def test_an_access_that_names_no_one_is_recorded_all_the_same():
    recorder = Recorder()
    app = _app(recorder)
    ctx = app.context("t1", Actor(id="officer", kind="user"), policy_version=3)
    await app.record_access(ctx, "query", "audit_trail", "t1")
    [access] = recorder.recorded
    assert (access.action, access.resource_type, access.subjects()) == ("query", "audit_trail", [])
    assert (access.policy_version, access.request_id) == (3, ctx.correlation_id)


def test_declared_problems_appear_in_the_openapi_as_problem_json():
    api = FastAPI()

    @api.post("/v1/things", status_code=201, response_model=WrittenPublic,
              responses=problems(404, 422))
    async def create() -> WrittenPublic:
        return WrittenPublic.of(("id", 1))

    answers = api.openapi()["paths"]["/v1/things"]["post"]["responses"]
    assert {"201", "404", "422", "503"} <= set(answers)
    assert "application/problem+json" in answers["404"]["content"]


class Waiter:
    """Stands for PositionWaiter: the read models stand at ``reached``; records each wait."""

    def __init__(self, reached: int) -> None:
        self.reached = reached
        self.waits: list[float] = []

    async def wait(self, projection: str, stream: str, position: int, timeout: float) -> bool:
        self.waits.append(timeout)
        return position <= self.reached


def _read_models(waiter: Waiter, last: int | None) -> ReadModels:
    async def written() -> int:
        if last is None:
            raise ConnectionError("the stream is not reachable")
        return last

    return ReadModels(waiter, "views", "STREAM", written)  # type: ignore[arg-type]


async def test_a_position_no_write_answered_is_not_waited_for():
    # found probing for the outside fuzzer: ?after= far ahead held every such read for the
    # whole bound, polling the database meanwhile
    waiter = Waiter(reached=10)
    assert await _read_models(waiter, last=12).caught_up(2**62) is False
    assert len(waiter.waits) == 1 and waiter.waits[0] < WAIT_SECONDS


async def test_a_written_position_is_waited_for_and_an_unknown_end_waits_too():
    for last in (12, None):  # written but not yet read; the stream unreachable
        waiter = Waiter(reached=10)
        assert await _read_models(waiter, last).caught_up(11) is False
        assert sum(waiter.waits) == WAIT_SECONDS
    waiter = Waiter(reached=10)
    assert await _read_models(waiter, last=12).caught_up(9) is True
    assert len(waiter.waits) == 1
