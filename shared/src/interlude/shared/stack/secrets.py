"""Secrets the stack generates into its data folder: created 0600 in a 0700 folder, never
world-readable, and kept between runs (a password changes only with ``make reset``)."""

from __future__ import annotations

import os
import secrets
import stat
from pathlib import Path


def write_private(path: Path, data: bytes) -> None:
    """Create ``path`` readable by its owner only (0600 from the start, never world-readable)."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as file:
        file.write(data)


def new_password() -> str:
    # [A-Za-z0-9_-]: safe in a pgpass line, in SQL, in a URL and in nats-server's configuration
    return secrets.token_urlsafe(24)


def pgpass_password(path: Path, database: str, role: str) -> str:
    """The password of ``role`` kept as a pgpass line in ``path`` (usable as ``PGPASSFILE``),
    generated on first use."""
    if not path.exists():
        write_private(path, f"*:*:{database}:{role}:{new_password()}\n".encode())
    return path.read_text().strip().split(":", 4)[4]


def plain_password(path: Path) -> str:
    """A password alone in ``path``, generated on first use."""
    if not path.exists():
        write_private(path, (new_password() + "\n").encode())
    return path.read_text().strip()


def tighten(folder: Path, *, skip: tuple[Path, ...] = ()) -> None:
    """Take group and other permissions off ``folder`` and everything in it (left by an older
    run, or by a server with a looser umask); ``skip`` folders are not entered."""
    for top, folders, files in os.walk(folder):
        here = Path(top)
        folders[:] = [name for name in folders if here / name not in skip]
        for path in (here, *(here / name for name in files)):
            mode = path.lstat().st_mode
            if not stat.S_ISLNK(mode) and mode & 0o077:
                path.chmod(mode & 0o700)
