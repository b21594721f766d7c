"""`make run` starts a mail sink: the services' SMTP server, on a port of its own, keeping every
message as a ``.eml`` file in the data folder, and the banner says where to read them. A sink
that dies comes back on the same port."""

from __future__ import annotations

import os
import signal
import smtplib
import time
from email.message import EmailMessage
from pathlib import Path

import pytest

from interlude.shared.stack.ports import free_port

from .stackrun import READY, StackRun, stack_env


def send(port: int, subject: str) -> None:
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = "a@example.org", "b@example.org", subject
    message.set_content("hello")
    with smtplib.SMTP("127.0.0.1", port, timeout=10) as smtp:
        smtp.send_message(message)


def sink_pid(data: Path) -> int:
    for line in (data / "stack.pid").read_text().splitlines():
        name, _, pid = line.partition(" ")
        if name == "mail-sink":
            return int(pid)
    raise AssertionError("no mail-sink in stack.pid")


def eventually_true(check: object, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():  # type: ignore[operator]
        assert time.monotonic() < deadline, "not within the time"
        time.sleep(0.1)


@pytest.mark.slow
def test_the_stack_keeps_every_email_sent_to_its_sink_and_says_where(data_dir: Path) -> None:
    port = free_port()
    run = StackRun(stack_env(data_dir, INTERLUDE_SMTP_PORT=str(port)))
    try:
        run.wait_for(READY)
        assert f"SMTP on 127.0.0.1:{port}" in run.output
        assert "every e-mail sent, one .eml file each" in run.output
        send(port, "first")
        folder = data_dir / "mail"
        eventually_true(lambda: len(list(folder.glob("*.eml"))) == 1)
        assert "Subject: first" in next(folder.glob("*.eml")).read_text()

        first_pid = sink_pid(data_dir)
        os.kill(first_pid, signal.SIGKILL)  # the stack restarts it on the same port
        eventually_true(lambda: sink_pid(data_dir) != first_pid and _sends(port))
        eventually_true(lambda: len(list(folder.glob("*.eml"))) >= 2)
    finally:
        assert run.interrupt() == 0, run.output


def _sends(port: int) -> bool:
    try:
        send(port, "after the restart")
    except OSError:
        return False
    return True


@pytest.mark.slow
def test_make_run_leaves_demo_emails_in_the_sink(data_dir: Path) -> None:
    """With every service and its demo seed, notify e-mails the demo people: the messages are
    in the data folder's ``mail/``, where the banner says."""
    run = StackRun(stack_env(data_dir, services=None))
    try:
        run.wait_for(READY, timeout=240)
        assert "E-mail      " in run.output
        folder = data_dir / "mail"
        eventually_true(lambda: any(folder.glob("*.eml")), timeout=60)
        text = next(folder.glob("*.eml")).read_text()
        assert "List-Unsubscribe-Post: List-Unsubscribe=One-Click" in text
    finally:
        assert run.interrupt(timeout=60) == 0, run.output
