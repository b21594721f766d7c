"""`make run` heals itself: under a steady load of idempotent check-ins, each child of the real
stack (engagement's and identity's API and worker, nats-server, PostgreSQL) is killed in turn
with SIGKILL, by the PID the supervisor recorded; each comes back by itself, the product
answers again, and every check-in the API acknowledged is in the read model exactly once."""

from __future__ import annotations

import os
import shutil
import signal
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest

from interlude.shared.stack.ports import free_ports

from .test_make_run import READY, StackRun, running_pids, stack_env

CHILDREN = ("engagement-api", "engagement-worker", "identity-api", "identity-worker",
            "nats-server", "postgres")
BACK_WITHIN = 15.0  # seconds from a kill until the product answers again
LOAD_CAP = 150  # acknowledged check-ins: with the seed's and the probes', one page of 200


class Product:
    """The running product as a coachee (Amira) and her coach (Claire) use it."""

    def __init__(self, run: StackRun, identity_url: str, engagement_url: str) -> None:
        self.identity = httpx.Client(base_url=identity_url, timeout=5.0)
        self.engagement = httpx.Client(base_url=engagement_url, timeout=5.0)
        self.passwords = {email: password for email, password in demo_logins(run.output)}
        self.coachee = self.sign_in("amira@northwind.example")
        self.coach = self.sign_in("claire@northwind.example")
        self.contract_id = self._contract()

    def _contract(self) -> str:
        """Amira's contract, once the worker has projected the seed."""
        deadline = time.monotonic() + 60
        while not (found := self.engagement.get("/v1/contracts", headers=self.coachee)
                   .json()["contracts"]):
            assert time.monotonic() < deadline, "the seeded contract never reached the API"
            time.sleep(0.2)
        return str(found[0]["id"])

    def sign_in(self, email: str) -> dict[str, str]:
        answer = self.identity.post("/v1/sessions", json={
            "email": email, "password": self.passwords[email]})
        answer.raise_for_status()
        return {"Authorization": f"Bearer {answer.json()['access_token']}"}

    def check_in(self, key: str) -> httpx.Response:
        return self.engagement.post(
            f"/v1/contracts/{self.contract_id}/check-ins", headers={
                **self.coachee, "Idempotency-Key": key},
            json={"text": "Held my ground in the planning meeting.", "mood": 4})

    def check_ins(self, after: int = 0) -> dict[str, Any]:
        answer = self.engagement.get(f"/v1/contracts/{self.contract_id}/check-ins",
                                     params={"after": after, "limit": 200}, headers=self.coachee)
        answer.raise_for_status()
        return dict(answer.json())

    def dashboard_count(self, after: int = 0) -> int:
        board = self.engagement.get("/v1/dashboard", params={"after": after},
                                    headers=self.coach)
        board.raise_for_status()
        row = next(r for r in board.json()["coachees"] if r["coachee_name"] == "Amira Haddad")
        return int(row["checkins"])

    def answers(self) -> bool:
        """Both APIs ready, and a new check-in is acknowledged and a read sees it: APIs,
        worker, NATS and PostgreSQL all at work. Any failure is a no for now."""
        try:
            for api in (self.identity, self.engagement):
                if api.get("/readyz").status_code != 200:
                    return False
            written = self.check_in(uuid.uuid4().hex)
            if written.status_code != 201:
                return False
            read = self.check_ins(after=written.json()["position"])
            return read["fresh"] and written.json()["id"] in {c["id"] for c in read["check_ins"]}
        except httpx.HTTPError:
            return False


def demo_logins(output: str) -> list[tuple[str, str]]:
    """(login, password) pairs from the summary `make run` prints."""
    found = []
    for line in output.splitlines():
        words = line.strip("│ ").split()
        if len(words) == 3 and "@" in words[1]:
            found.append((words[1], words[2]))
    return found


class Load:
    """Check-ins, one after another; each retried with its own Idempotency-Key until it is
    acknowledged (201), whatever happens in between (503, refused connections, timeouts)."""

    def __init__(self, product: Product) -> None:
        self.product = product
        self.acknowledged: list[str] = []
        self.refused: list[str] = []  # answers a retry cannot fix: a bug
        self.statuses: dict[int, int] = {}
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self.stopping.is_set() and len(self.acknowledged) < LOAD_CAP:
            key = uuid.uuid4().hex
            while not self.stopping.is_set():
                try:
                    answer = self.product.check_in(key)
                except httpx.HTTPError:
                    time.sleep(0.2)
                    continue
                self.statuses[answer.status_code] = self.statuses.get(answer.status_code, 0) + 1
                if answer.status_code == 201:
                    self.acknowledged.append(answer.json()["id"])
                    break
                if answer.status_code < 500:
                    self.refused.append(f"{answer.status_code} {answer.text}")
                    break
                time.sleep(0.2)
            time.sleep(0.3)

    def stop(self) -> None:
        self.stopping.set()
        self.thread.join(timeout=30)


def kill_and_wait_back(run: StackRun, data: Path, product: Product, name: str) -> None:
    pid = running_pids(data)[name]
    os.kill(pid, signal.SIGKILL)  # the PID the supervisor recorded, never a name
    deadline = time.monotonic() + BACK_WITHIN
    while running_pids(data).get(name, pid) == pid:
        if time.monotonic() > deadline:
            pytest.fail(f"{name} was not restarted within {BACK_WITHIN:.0f}s:\n{run.output}")
        time.sleep(0.1)
    while not product.answers():
        if time.monotonic() > deadline:
            pytest.fail(f"the product did not answer within {BACK_WITHIN:.0f}s of killing "
                        f"{name}:\n{run.output[-6000:]}")
        time.sleep(0.2)


@pytest.mark.slow
@pytest.mark.timeout(900)
def test_every_child_killed_in_turn_comes_back_and_no_acknowledged_check_in_is_lost() -> None:
    # not under pytest's tmp_path: a concurrent pytest run may make its root private again,
    # and PostgreSQL runs as another user when we are root
    root = Path(tempfile.mkdtemp(prefix="interlude-restarts-"))
    data = root / "data"
    identity_port, engagement_port = free_ports(2)
    env = stack_env(data, "identity,engagement", INTERLUDE_IDENTITY_PORT=str(identity_port),
                    INTERLUDE_ENGAGEMENT_PORT=str(engagement_port))
    run = StackRun(env)
    try:
        run.wait_for(READY, timeout=300)
        product = Product(run, f"http://127.0.0.1:{identity_port}",
                          f"http://127.0.0.1:{engagement_port}")
        load = Load(product)
        load.thread.start()
        for name in CHILDREN:
            kill_and_wait_back(run, data, product, name)
            assert f"✗ {'PostgreSQL' if name == 'postgres' else name}" in run.output
        load.stop()
        assert not load.refused, load.refused
        assert 500 not in load.statuses, (load.statuses, run.output[-6000:])

        listed = product.check_ins(after=0)["check_ins"]
        ids = {c["id"] for c in listed}
        assert len(ids) == len(listed) < 200  # one page holds them all
        assert set(load.acknowledged) <= ids  # none lost
        # each counted once on the coach's dashboard: none applied twice by a projection that
        # was killed, or that lost NATS or PostgreSQL, between its write and its ack
        deadline = time.monotonic() + 30
        while (count := product.dashboard_count()) != len(ids):
            assert count < len(ids) and time.monotonic() < deadline, (count, len(ids))
            time.sleep(0.2)
        assert run.interrupt(timeout=60) == 0, run.output[-4000:]
    finally:
        run.stop()
        shutil.rmtree(root, ignore_errors=True)
