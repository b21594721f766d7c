"""The stack's mail sink: a local SMTP server (``aiosmtpd``) that keeps every message it accepts
as a ``.eml`` file, started by ``make run`` in place of a mail server (the services send to it;
you read the files), and what tests send e-mail to. It can be told to refuse: ``refuse`` maps
an address to a reply code for it (``550`` final, ``450`` try later), and ``busy`` answers the
next messages with ``451``.

    python -m interlude.shared.stack.mail --dir .data/mail --port 8025
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import socket
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller

from interlude.shared.stack.process import Child


@dataclass
class Sink:
    """The handler: ``folder`` receives one ``.eml`` file per accepted message, written whole
    (a reader never sees half a message)."""

    folder: Path
    refuse: dict[str, int] = field(default_factory=dict)
    busy: int = 0  # how many of the next messages to answer "451 try again later"

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str,
                          rcpt_options: list[str]) -> str:
        code = self.refuse.get(address.lower())
        if code is not None:
            return f"{code} {'mailbox unavailable' if code >= 500 else 'try again later'}"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.busy > 0:
            self.busy -= 1
            return "451 busy, try again later"
        self.folder.mkdir(parents=True, exist_ok=True)
        name = f"{datetime.now(UTC):%Y%m%dT%H%M%S%f}-{uuid.uuid4().hex[:8]}.eml"
        partial = self.folder / f".{name}.part"
        content = envelope.original_content or envelope.content
        partial.write_bytes(content if isinstance(content, bytes) else content.encode())
        os.replace(partial, self.folder / name)  # a reader never sees half a message
        return "250 Message accepted for delivery"

    def messages(self) -> list[Path]:
        return sorted(self.folder.glob("*.eml")) if self.folder.exists() else []


@dataclass(frozen=True)
class MailSink:
    """Where the stack's sink listens and keeps what it gets."""

    folder: Path
    port: int

    def env(self) -> dict[str, str]:
        """What a service needs to send to it."""
        return {"INTERLUDE_SMTP_HOST": "127.0.0.1", "INTERLUDE_SMTP_PORT": str(self.port)}


def wait_listening(port: int, child: Child, timeout: float = 15.0) -> None:
    """Return once ``port`` accepts connections; raise if ``child`` dies or time runs out."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not child.alive():
            raise RuntimeError(f"the mail sink exited: {child.log_tail()}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.5):
            return
        time.sleep(0.05)
    raise RuntimeError(f"the mail sink did not listen on {port} within {timeout:.0f}s")


def start(sink: Sink, host: str, port: int) -> Controller:
    """Serve ``sink`` on ``host:port`` from a thread of its own; ``.stop()`` ends it."""
    controller = Controller(sink, hostname=host, port=port, ready_timeout=10)
    controller.start()
    return controller


def main(argv: list[str] | None = None) -> None:
    """The sink as a process of the stack: until SIGTERM or SIGINT."""
    parser = argparse.ArgumentParser(description="keep every e-mail as a .eml file")
    parser.add_argument("--dir", type=Path, required=True)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args(argv)
    controller = start(Sink(args.dir), args.host, args.port)
    print(f"smtp sink on {args.host}:{args.port}, keeping messages in {args.dir}", flush=True)
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    stop.wait()
    controller.stop()


if __name__ == "__main__":
    main()
