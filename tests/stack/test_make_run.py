"""`make run` end to end: `interlude-stack run` as a real process on free ports and a temporary
data folder, stopped with SIGINT like Ctrl-C, started again on the same data."""

from __future__ import annotations

import asyncio
import socket
import subprocess
import textwrap
import time
from pathlib import Path

import asyncpg
import nats
import pytest

from interlude.shared.eventstore.streams import all_streams
from interlude.shared.stack.ports import free_ports, is_free
from interlude.shared.stack.process import pid_alive

from .stackrun import READY, ROOT, StackRun, cli, nats_login, nats_url, stack_env, superuser_dsn


async def publish_probe(url: str, login: dict[str, str]) -> int:
    nc = await nats.connect(url, **login)
    js = nc.jetstream()
    for spec in all_streams():
        await js.stream_info(spec.name)  # raises NotFoundError when missing
    ack = await js.publish("identity.probe.thing.1", b"kept")
    await nc.close()
    return ack.seq


async def read_probe(url: str, login: dict[str, str], seq: int) -> bytes:
    nc = await nats.connect(url, **login)
    msg = await nc.jetstream().get_msg("IDENTITY", seq)
    await nc.close()
    return msg.data or b""


async def pg_answers(dsn: str) -> int:
    conn = await asyncpg.connect(dsn)
    value = await conn.fetchval("SELECT 1")
    await conn.close()
    return int(value)


@pytest.mark.slow
def test_run_comes_up_stops_on_sigint_and_keeps_its_data(data_dir: Path) -> None:
    data = data_dir
    env = stack_env(data)
    pg_port = int(env["INTERLUDE_PG_PORT"])
    first = StackRun(env)
    first.wait_for(READY)
    assert "No services are running" in first.output
    seq = asyncio.run(publish_probe(nats_url(env), nats_login(data)))
    assert asyncio.run(pg_answers(superuser_dsn(env, data))) == 1
    assert cli(env, "reset").returncode != 0  # refuses while running
    master_key = (data / "secrets" / "master.key").read_bytes()

    assert first.interrupt() == 0, first.output
    assert is_free(int(env["INTERLUDE_NATS_PORT"])) and is_free(pg_port)

    second = StackRun(env)
    second.wait_for(READY)
    assert "existing data folder" in second.output
    assert asyncio.run(read_probe(nats_url(env), nats_login(data), seq)) == b"kept"
    assert (data / "secrets" / "master.key").read_bytes() == master_key
    assert second.interrupt() == 0, second.output

    assert cli(env, "reset").returncode == 0
    assert not data.exists()


@pytest.mark.slow
def test_a_taken_nats_port_stops_run_naming_the_setting(data_dir: Path) -> None:
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        env = stack_env(data_dir, INTERLUDE_NATS_PORT=str(holder.getsockname()[1]))
        result = cli(env, "run")
    assert result.returncode != 0
    assert "INTERLUDE_NATS_PORT" in result.stdout + result.stderr


FAKE_SERVICE = '''
import asyncio, os, sys, time
from pathlib import Path

import asyncpg
from interlude.shared.service import ServiceSpec

HERE = Path(__file__).parent
ALPHA = ServiceSpec(name="fakealpha", api="interlude_fake:create_app", worker="interlude_fake",
                    migrations=HERE / "fake_migrations", default_port=1,
                    seed="interlude_fake:seed", start_order=10)
BETA = ServiceSpec(name="fakebeta", api="interlude_fake:create_app", worker=None,
                   migrations=None, default_port=1)


def create_app():
    from fastapi import FastAPI
    app = FastAPI()

    @app.get("/healthz")
    def healthz():
        return {"service": os.environ["INTERLUDE_SERVICE_NAME"]}

    return app


async def seed(settings):
    conn = await asyncpg.connect(settings.database_url)
    await conn.execute("INSERT INTO notes (body) VALUES ('seeded')")
    await conn.close()
    return [("coach", "coach@example.test", "demo-password")]


if __name__ == "__main__":  # the worker: gives up when the test says so
    while not Path(os.environ["FAKE_STOP_FILE"]).exists():
        time.sleep(0.1)
    print("fake worker giving up")
    sys.exit(3)
'''


def install_fake_services(site: Path) -> None:
    """Two services in a folder on PYTHONPATH, registered like a real package would be."""
    (site / "fake_migrations").mkdir(parents=True)
    (site / "fake_migrations" / "0001_notes.sql").write_text("CREATE TABLE notes (body text);")
    (site / "interlude_fake.py").write_text(textwrap.dedent(FAKE_SERVICE))
    dist = site / "interlude_fake-0.1.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: interlude-fake\nVersion: 0.1\n")
    (dist / "entry_points.txt").write_text(
        "[interlude.services]\nfakealpha = interlude_fake:ALPHA\nfakebeta = interlude_fake:BETA\n")


@pytest.mark.slow
def test_run_provisions_starts_and_supervises_several_services(tmp_path: Path,
                                                               data_dir: Path) -> None:
    install_fake_services(tmp_path / "site")
    stop_file = tmp_path / "stop-worker"
    alpha_port, beta_port = free_ports(2)
    env = stack_env(data_dir, "fakealpha,fakebeta", PYTHONPATH=str(tmp_path / "site"),
                    FAKE_STOP_FILE=str(stop_file), INTERLUDE_FAKEALPHA_PORT=str(alpha_port),
                    INTERLUDE_FAKEBETA_PORT=str(beta_port))
    run = StackRun(env)
    run.wait_for(READY)
    assert f"http://127.0.0.1:{alpha_port}/docs" in run.output
    assert f"http://127.0.0.1:{beta_port}/docs" in run.output
    assert "coach@example.test" in run.output
    secret = (data_dir / "secrets" / "fakealpha.pgpass").read_text().strip()
    assert (data_dir / "secrets" / "fakealpha.pgpass").stat().st_mode & 0o077 == 0
    dsn = (f"postgresql://fakealpha:{secret.split(':')[-1]}@127.0.0.1:"
           f"{env['INTERLUDE_PG_PORT']}/interlude_fakealpha")

    async def seeded_note() -> str:
        conn = await asyncpg.connect(dsn)
        body = await conn.fetchval("SELECT body FROM notes")
        await conn.close()
        return str(body)

    assert asyncio.run(seeded_note()) == "seeded"
    worker_pid = running_pids(data_dir)["fakealpha-worker"]
    stop_file.touch()  # the worker exits, again after every restart: a crash loop
    run.wait_for("fakealpha-worker keeps crashing", timeout=60)
    assert f"fakealpha-worker (PID {worker_pid}) exited with code 3" in run.output
    assert "fake worker giving up" in run.output  # the end of its log, shown
    assert "restarting fakealpha-worker in 0.5s" in run.output
    restarted = "restarting fakealpha-worker … ok"
    before = run.output.count(restarted)
    stop_file.unlink()  # fixed: the next restart stays up, and the rest never went down
    deadline = time.monotonic() + 60
    while run.output.count(restarted) == before and time.monotonic() < deadline:
        time.sleep(0.1)
    new_pid = running_pids(data_dir)["fakealpha-worker"]
    time.sleep(2)  # long enough for a worker that still found the stop file to give up
    assert f"PID {new_pid}) exited" not in run.output and run.process.poll() is None
    assert new_pid != worker_pid
    assert run.interrupt() == 0, run.output
    assert is_free(alpha_port) and is_free(int(env["INTERLUDE_PG_PORT"])), run.output[-3000:]


@pytest.mark.slow
def test_a_run_killed_outright_takes_its_services_along_and_the_next_run_stops_the_rest(
        tmp_path: Path, data_dir: Path) -> None:
    """kill -9 of `make run` (or the out-of-memory killer): no handler runs. The services and
    nats-server go with it; PostgreSQL, detached by pg_ctl, is stopped by the next run, which
    then comes up on the same ports; `make stop` does the same without starting anything."""
    install_fake_services(tmp_path / "site")
    env = stack_env(data_dir, "fakealpha", PYTHONPATH=str(tmp_path / "site"),
                    FAKE_STOP_FILE=str(tmp_path / "never"),
                    INTERLUDE_FAKEALPHA_PORT=str(free_ports(1)[0]))
    try:
        for then in ("run", "stop"):
            first = StackRun(env)
            first.wait_for(READY)
            pids = running_pids(data_dir)
            first.process.kill()  # the supervisor we started, SIGKILLed
            first.process.wait(timeout=10)
            deadline = time.monotonic() + 15
            while any(pid_alive(pids[name]) for name in ("fakealpha-api", "fakealpha-worker",
                                                         "nats-server", "mail-sink")):
                assert time.monotonic() < deadline, f"still running: {pids}"
                time.sleep(0.1)
            assert pid_alive(pids["postgres"])  # detached: left to the next run
            assert cli(env, "status").returncode == 0  # which sees it

            if then == "run":
                second = StackRun(env)
                second.wait_for(READY)
                assert "a previous run was killed" in second.output
                assert f"stopping postgres (fast shutdown, PID {pids['postgres']}) … ok" in (
                    second.output)
                assert second.interrupt() == 0, second.output
            else:
                stopped = cli(env, "stop")
                assert stopped.returncode == 0, stopped.stdout + stopped.stderr
                assert f"stopping postgres (fast shutdown, PID {pids['postgres']}) … ok" in (
                    stopped.stdout)
                assert not pid_alive(pids["postgres"])
                assert cli(env, "status").returncode == 1
    finally:
        cli(env, "stop")  # whatever a failure left running, by the PIDs the run recorded
    assert is_free(int(env["INTERLUDE_PG_PORT"])) and is_free(int(env["INTERLUDE_NATS_PORT"]))


def running_pids(data: Path) -> dict[str, int]:
    """The supervisor's children by name, as its pid file in the data folder says."""
    lines = (data / "stack.pid").read_text().split("\n")[1:]
    return {name: int(pid) for name, pid in (line.split() for line in lines if line.strip())}


def test_make_help_lists_run_and_test() -> None:
    result = subprocess.run(["make", "help"], cwd=ROOT, capture_output=True, text=True,
                            stdin=subprocess.DEVNULL, timeout=30)
    assert result.returncode == 0, result.stderr
    assert "run" in result.stdout and "test" in result.stdout
