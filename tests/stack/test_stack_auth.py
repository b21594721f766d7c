"""The embedded stack keeps the same boundaries as production: nobody on the host reaches
PostgreSQL or NATS without a password, the banner and logs show none, and the data folder's
secrets are its owner's only. With every installed service, as `make run` starts it, a demo
coach signs in with the login the banner prints and sees the demo data."""

from __future__ import annotations

import asyncio
import json
import re
import urllib.request
from pathlib import Path
from typing import Any

import asyncpg
import nats
import pytest
from nats.errors import Error as NatsError

from interlude.shared.service import discover_services
from interlude.shared.stack.ports import free_ports
from interlude.shared.stack.postgres import start_postgres
from interlude.shared.stack.settings import port_setting
from interlude.shared.testing.eventually import eventually

from .stackrun import READY, StackRun, nats_login, nats_url, secret, stack_env, superuser_dsn


async def pg_answers(dsn: str) -> int:
    conn = await asyncpg.connect(dsn, timeout=10)
    try:
        return int(await conn.fetchval("SELECT 1"))
    finally:
        await conn.close()


async def nats_refuses(url: str, **login: str) -> str:
    """The server's reason for refusing the connection (fails if it lets us in)."""
    reasons: list[str] = []

    async def note(error: Exception) -> None:
        reasons.append(str(error))

    try:
        nc = await nats.connect(url, allow_reconnect=False, connect_timeout=5, error_cb=note,
                                **login)
    except Exception as error:  # what nats-py raises depends on when the server says no
        return " ".join([*reasons, str(error)])
    await nc.close()
    pytest.fail(f"NATS let in {login or 'a client without credentials'}")


def all_secrets(data: Path) -> list[str]:
    names = [path.name for path in (data / "secrets").iterdir()
             if path.suffix in (".pgpass", ".password")]
    return [secret(data, name) for name in names]


def leaks(data: Path, output: str) -> list[str]:
    """Where a password or the superuser's URL shows up: the banner, a log."""
    texts = {"banner": output, "nats-server.log": (data / "nats" / "nats-server.log").read_text()}
    texts |= {path.name: path.read_text(errors="replace") for path in (data / "logs").iterdir()}
    found = [where for where, text in texts.items() if "postgresql://postgres" in text]
    return found + [f"{where}: a password" for where, text in texts.items()
                    for value in all_secrets(data) if value in text]


def old_trusting_data_folder(data: Path, port: int) -> None:
    """A data folder as an earlier `make run` left it: PostgreSQL trusting every local
    connection, folders and a log readable by everyone."""
    server = start_postgres(data / "postgres", port=port)  # no password: --auth=trust
    server.stop()
    (data / "logs").mkdir(mode=0o755)
    (data / "logs" / "identity-api.log").write_text("an older run\n")
    (data / "logs" / "identity-api.log").chmod(0o644)
    data.chmod(0o755)


@pytest.mark.slow
def test_nothing_reaches_the_servers_without_a_password_and_no_secret_is_shown(
        data_dir: Path) -> None:
    data = data_dir
    env = stack_env(data)
    data.mkdir()
    old_trusting_data_folder(data, int(env["INTERLUDE_PG_PORT"]))
    run = StackRun(env)
    try:
        run.wait_for(READY)
        no_password, wrong = superuser_dsn(env, data, None), superuser_dsn(env, data, "guess")
        for dsn in (no_password, wrong):
            with pytest.raises(asyncpg.InvalidPasswordError):
                asyncio.run(pg_answers(dsn))
        assert asyncio.run(pg_answers(superuser_dsn(env, data))) == 1

        assert "Authorization Violation" in asyncio.run(nats_refuses(nats_url(env)))
        assert "Authorization Violation" in asyncio.run(
            nats_refuses(nats_url(env), user="stack", password="guess"))

        assert leaks(data, run.output) == []
        assert "secrets/" in run.output  # where they are, instead
    finally:
        run.stop()
    assert data.stat().st_mode & 0o007 == 0  # as root, the server's user may only pass through
    assert (data / "secrets").stat().st_mode & 0o777 == 0o700
    for path in [*(data / "secrets").iterdir(), *(data / "logs").iterdir(),
                 data / "nats" / "nats.conf"]:
        assert path.stat().st_mode & 0o777 == 0o600, path


# --------------------------------------------------------------------------------------------
# every installed service, its demo data, and what its NATS user may do


async def try_as_engagement(env: dict[str, str], data: Path) -> None:
    """As engagement's NATS user, what engagement must not do (each refused by the server)."""
    nc = await nats.connect(nats_url(env), **nats_login(data, "engagement"),
                            inbox_prefix="_INBOX_engagement", error_cb=ignore)
    js = nc.jetstream(timeout=2)
    try:
        await js.stream_info("IDENTITY")  # it consumes identity: allowed
        with pytest.raises((NatsError, TimeoutError)):
            await js.publish("identity.forged.user.someone", b"{}")  # another service's stream
        with pytest.raises((NatsError, TimeoutError)):
            await js.get_msg("AUDIT", 1, direct=True)  # a stream engagement does not consume
        with pytest.raises((NatsError, TimeoutError)):
            await js.stream_info("AUDIT")
        with pytest.raises((NatsError, TimeoutError)):
            await js.add_consumer("AUDIT", durable_name="engagement-snoop")
        await nc.subscribe("audit.>")  # audit's events as they are published
        await nc.subscribe("_INBOX.>")  # the replies other clients receive
        # asking community for a person's data (only audit may), or answering for identity
        await nc.publish("privacy.section.community", b'{"tenant_id": "t", "subject_id": "s"}')
        await nc.subscribe("privacy.section.identity")
        await nc.flush()
    finally:
        await nc.close()


async def ignore(error: Exception) -> None:
    """nats-py reports each refusal here too; the server's log is the record we check."""


def violations(data: Path) -> set[tuple[str, str, str]]:
    """(user, Publish or Subscription, subject) of every refusal in the server's log."""
    log = (data / "nats" / "nats-server.log").read_text()
    found = re.findall(r'"\$G/user:([^"]+)" - (\w+) Violation - Subject "([^"]+)"', log)
    return set(found)


def get(url: str, token: str | None = None, body: dict[str, str] | None = None) -> Any:
    request = urllib.request.Request(
        url, data=json.dumps(body).encode() if body is not None else None,
        headers={"content-type": "application/json",
                 **({"authorization": f"Bearer {token}"} if token else {})})
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


# the demo coach whose coachees and cohort the seeds write
COACH = "claire@northwind.example"
COACHEES = {"Amira Haddad", "Ben Okafor", "Chloe Martin"}
SPACES = {"Saying no without burning bridges", "Coaches' circle: endings"}
TOLD = {"message_received", "rehearsal_drafted"}  # some of what the coach was told


def demo_logins(output: str) -> dict[str, dict[str, str]]:
    """The banner's demo logins: {role: {login: password}}."""
    _, found, table = output.partition("Demo logins (role, login, password):")
    assert found, f"no demo logins in the banner:\n{output}"
    logins: dict[str, dict[str, str]] = {}
    for role, login, password in re.findall(r"│\s+(\w+)\s+(\S+@\S+)\s+(\S+)\s+│", table):
        logins.setdefault(role, {})[login] = password
    return logins


def coach_sees_the_demo_data(output: str, url: dict[str, str]) -> str:
    """The demo coach signs in with the password the banner shows (identity), finds their
    coachees on the dashboard (engagement), their spaces (community) and what they were told
    (notify: the coachees' messages and rehearsals reach the coach's inbox). The projections may
    still be catching up with the seeds when the banner appears: reads are retried."""
    coaches = demo_logins(output).get("coach", {})
    assert COACH in coaches, output
    session = get(f"{url['identity']}/v1/sessions",
                  body={"email": COACH, "password": coaches[COACH]})
    token = session["access_token"]

    seen: dict[str, set[str]] = {}

    def shown() -> bool:
        board = get(f"{url['engagement']}/v1/dashboard", token)
        seen["coachees"] = {row["coachee_name"] for row in board["coachees"]}
        listed = get(f"{url['community']}/v1/community/spaces", token)
        seen["spaces"] = {space["name"] for space in listed["spaces"]}
        if "notify" in url:
            inbox = get(f"{url['notify']}/v1/notify/notifications", token)
            seen["told"] = {n["kind"] for n in inbox["notifications"]} & TOLD
        return seen == {"coachees": COACHEES, "spaces": SPACES} | (
            {"told": TOLD} if "notify" in url else {})

    try:
        asyncio.run(eventually(shown, timeout=60, interval=0.5, what="the demo data"))
    except AssertionError:
        pytest.fail(f"{COACH} saw {seen}, not {COACHEES} and {SPACES}")
    return str(token)


async def identity_last_seq(env: dict[str, str], data: Path) -> int:
    nc = await nats.connect(nats_url(env), **nats_login(data))
    try:
        return int((await nc.jetstream().stream_info("IDENTITY")).state.last_seq)
    finally:
        await nc.close()


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_make_run_starts_every_service_a_demo_coach_signs_in_each_keeps_to_its_subjects(
        data_dir: Path) -> None:
    """`make run` itself: every installed service (INTERLUDE_SERVICES unset) with its seed."""
    data = data_dir
    apis = [spec.name for spec in discover_services() if spec.api]
    assert {"identity", "engagement", "community", "notify", "audit"} <= set(apis)
    ports = {port_setting(name): str(port) for name, port in zip(apis, free_ports(len(apis)),
                                                                  strict=True)}
    env = stack_env(data, None, **ports)
    run = StackRun(env)
    try:
        run.wait_for(READY, timeout=500)
        url = {name: f"http://127.0.0.1:{ports[port_setting(name)]}" for name in apis}
        for name in apis:  # connected to NATS and PostgreSQL, no projection failing
            assert get(f"{url[name]}/readyz")["status"] == "ready", name
        token = coach_sees_the_demo_data(run.output, url)
        # the coach exports their data: every service answers audit within its permissions
        made = get(f"{url['audit']}/v1/audit/my-data/exports", token, body={})
        assert made["missing"] == {} and set(made["sections"]) == {
            "identity", "engagement", "community", "notify", "audit"}, made

        before = asyncio.run(identity_last_seq(env, data))
        # every service came up and seeded its data within its permissions
        assert violations(data) == set()
        asyncio.run(try_as_engagement(env, data))
        refused = {("engagement", "Publish", "identity.forged.user.someone"),
                   ("engagement", "Publish", "$JS.API.DIRECT.GET.AUDIT"),
                   ("engagement", "Publish", "$JS.API.STREAM.INFO.AUDIT"),
                   ("engagement", "Subscription", "audit.>"),
                   ("engagement", "Subscription", "_INBOX.>"),
                   ("engagement", "Publish", "privacy.section.community"),
                   ("engagement", "Subscription", "privacy.section.identity")}
        # the server may write a refused subscription's line a moment after answering
        asyncio.run(eventually(lambda: violations(data) >= refused, timeout=10,
                               what="the refusals in nats-server's log"))
        assert violations(data) - refused == {
            ("engagement", "Publish", "$JS.API.CONSUMER.DURABLE.CREATE.AUDIT.engagement-snoop")}
        assert asyncio.run(identity_last_seq(env, data)) == before
        assert leaks(data, run.output) == []
    finally:
        run.stop()
    for path in (data / "secrets").iterdir():
        assert path.stat().st_mode & 0o777 == 0o600, path
