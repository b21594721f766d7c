"""A local SMTP sink (``aiosmtpd``) that keeps every message it accepts as a ``.eml`` file: what
``make run`` starts in place of a mail server, and what the tests send to. It can be told to
refuse: ``refuse`` maps an address to a reply code for it (``550`` final, ``450`` try later),
and ``busy`` answers the next messages with ``451``.

    python -m interlude.notify.adapters.sink --dir .data/mail --port 8025
"""

from __future__ import annotations

import argparse
import os
import signal
import threading
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller


@dataclass
class Sink:
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


def start(sink: Sink, host: str, port: int) -> Controller:
    controller = Controller(sink, hostname=host, port=port, ready_timeout=10)
    controller.start()
    return controller


def main(argv: list[str] | None = None) -> None:
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
