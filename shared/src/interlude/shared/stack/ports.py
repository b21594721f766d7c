"""Port checks: never assume a port is free, and say which setting to change when it is not."""

from __future__ import annotations

import contextlib
import socket


class PortTaken(RuntimeError):
    """A configured port is held by another program."""

    def __init__(self, port: int, setting: str) -> None:
        super().__init__(
            f"port {port} on 127.0.0.1 is already in use by another program; "
            f"set {setting} to a free port (for example {setting}={free_port()}) and run again"
        )
        self.port = port
        self.setting = setting


def is_free(port: int, host: str = "127.0.0.1") -> bool:
    """True when nothing listens on ``host:port`` and we could bind it. SO_REUSEADDR, as the
    servers themselves use, so a port left in TIME_WAIT by our last run counts as free."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


def require_free(port: int, setting: str, host: str = "127.0.0.1") -> None:
    """Raise :class:`PortTaken`, naming ``setting``, when ``port`` is taken."""
    if not is_free(port, host):
        raise PortTaken(port, setting)


def free_port(host: str = "127.0.0.1") -> int:
    """A port the kernel just handed out as free (there is a small race; callers retry)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def free_ports(count: int, host: str = "127.0.0.1") -> list[int]:
    """``count`` different free ports: each held until all are chosen, as two calls of
    :func:`free_port` may hand out the same port (it happened: a test run gave PostgreSQL and
    NATS one port)."""
    with contextlib.ExitStack() as held:
        socks = [held.enter_context(socket.socket(socket.AF_INET, socket.SOCK_STREAM))
                 for _ in range(count)]
        for sock in socks:
            sock.bind((host, 0))
        return [int(sock.getsockname()[1]) for sock in socks]
