"""``interlude-stack``: run the whole product on this machine (``make run``), show its status,
stop it from elsewhere (``make stop``), or wipe its data folder (``make reset``)."""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import signal
import sys
from pathlib import Path

from interlude.shared.service import ServiceSpec, discover_services
from interlude.shared.stack.process import pid_alive, stop_pid
from interlude.shared.stack.secrets import tighten
from interlude.shared.stack.settings import PortProblem, StackSettings, check_ports
from interlude.shared.stack.supervisor import Shutdown, Stack, shown

PID_FILE = "stack.pid"
MARKER = ".interlude-stack"  # says the folder is ours, so that reset may delete it


def _cmdline(pid: int) -> str | None:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return None  # no /proc (macOS) or no permission: trust the PID


def running(data: Path) -> dict[str, int]:
    """Our processes still alive according to the pid files: {name: pid}.

    A recorded PID whose process has since become some other program does not count.
    """
    hints = {"supervisor": "interlude", "nats-server": "nats-server", "postgres": "postgres"}
    found: dict[str, int] = {}
    pid_file = data / PID_FILE
    lines = pid_file.read_text().split("\n") if pid_file.exists() else []
    postmaster = data / "postgres" / "postmaster.pid"
    if postmaster.exists():
        lines.append(f"postgres {postmaster.read_text().split()[0]}")
    for line in filter(None, map(str.split, lines)):
        name, pid = line if len(line) == 2 else ("supervisor", line[0])
        pid_n, cmd = int(pid), _cmdline(int(pid))
        ours = cmd is None or hints.get(name, "interlude") in cmd
        if pid_n != os.getpid() and pid_alive(pid_n) and ours:
            found[name] = pid_n
    return found


def write_pids(data: Path, supervisor: int, children: dict[str, int]) -> None:
    lines = [str(supervisor), *(f"{name} {pid}" for name, pid in children.items())]
    (data / PID_FILE).write_text("\n".join(lines) + "\n")


def frame(lines: list[str]) -> str:
    width = max(map(len, lines))
    body = [f"│ {line.ljust(width)} │" for line in lines]
    return "\n".join([f"┌{'─' * (width + 2)}┐", *body, f"└{'─' * (width + 2)}┘"])


def summary(stack: Stack, installed: int) -> str:
    assert stack.nats is not None and stack.pg is not None
    apis = [spec for spec in stack.specs if spec.api]
    web = next((spec for spec in apis if spec.name == "web"), None)
    lines = ["Interlude is running", ""]
    if not stack.specs:
        why = "none selected by INTERLUDE_SERVICES" if installed else "none are installed yet"
        lines += [f"No services are running ({why}): NATS and PostgreSQL only.", ""]
    elif web is not None:
        lines += [f"Open        {stack.api_url(web)}/", ""]
    else:
        lines += [f"{spec.name:<11} {stack.api_url(spec)}/docs" for spec in apis] + [""]
    # never a password nor the superuser's URL: where they are is enough
    lines += [f"NATS        {stack.nats.url}  (monitoring {stack.nats.monitor_url})",
              f"PostgreSQL  127.0.0.1:{stack.pg.port}",
              f"Secrets     {shown(stack.data / 'secrets')}/",
              "            (the NATS users' and PostgreSQL roles' passwords, yours only)"]
    if stack.mail is not None:  # a line each, within an 80-column terminal
        lines += [f"E-mail      {shown(stack.mail.folder)}/  (SMTP on 127.0.0.1:{stack.mail.port})",
                  "            every e-mail sent, one .eml file each: open it in a mail",
                  "            program or read it as text"]
    if stack.logins:
        lines += ["", "Demo logins (role, login, password):"]
        lines += [f"  {role:<18} {login:<32} {password}" for role, login, password in stack.logins]
    lines += ["", f"Logs        {shown(stack.logs)}/  and  {shown(stack.nats.store_dir.parent)}/"
                  "nats-server.log",
              f"Data        {shown(stack.data)}/  (kept between runs; `make reset` wipes it)",
              "", "Ctrl-C stops everything."]
    return frame(lines)


def claim(settings: StackSettings, specs: list[ServiceSpec]) -> str | None:
    """Why this run may not start (another one runs, a port is taken), or None."""
    data = settings.data_dir
    alive = running(data)
    if "supervisor" in alive:
        pid = alive["supervisor"]
        return (f"Interlude is already running as PID {pid} (data in {shown(data)}); "
                "stop it with Ctrl-C in its terminal, or `make stop`")
    if alive:
        left = ", ".join(f"{name} (PID {pid})" for name, pid in alive.items())
        return f"a previous run left these running: {left}; `make stop` stops them"
    if (data / PID_FILE).exists():
        print(f"▸ stale pid file {shown(data / PID_FILE)}: its process is gone, carrying on")
    try:
        check_ports(settings, specs)
    except PortProblem as problem:
        return str(problem)
    return None


def _error(message: str) -> None:
    with contextlib.suppress(OSError):
        print(f"✗ {message}", file=sys.stderr, flush=True)


def start_and_supervise(stack: Stack, installed: int) -> int:
    """0 after Ctrl-C or SIGTERM; 1 when the start-up fails or a child dies."""
    try:
        stack.start()
        stack.say(summary(stack, installed))
        return stack.supervise()
    except Shutdown:
        return 0
    except Exception as error:  # a failed start: say why; the caller stops what did start
        if stack.stop_signal:
            return 0
        _error(str(error))
        return 1


def private(data: Path) -> None:
    """Everything the stack and its children write is their owner's only (secrets, logs,
    JetStream's store, the seeds' demo passwords); a folder from an older run is tightened.
    PostgreSQL keeps its own folder private itself (and as root it belongs to another user)."""
    os.umask(0o077)
    data.mkdir(parents=True, exist_ok=True, mode=0o700)
    tighten(data, skip=(data / "postgres",))


LAST = ("nats-server", "postgres")  # stopped after the services, which use them


def stop_left(data: Path, alive: dict[str, int]) -> bool:
    """Stop what a run that was killed left running (its pid files name them, checked to be
    still ours), services first; PostgreSQL with its fast shutdown (SIGINT). False when one
    would not stop."""
    stopped = True
    for name, pid in sorted(alive.items(), key=lambda item: item[0] in LAST):
        how = "fast shutdown, " if name == "postgres" else ""
        print(f"▸ stopping {name} ({how}PID {pid}) …", end=" ", flush=True)
        try:
            stop_pid(pid, signal.SIGINT if name == "postgres" else signal.SIGTERM)
            print("ok", flush=True)
        except RuntimeError as error:
            print(f"failed: {error}", flush=True)
            stopped = False
    (data / PID_FILE).unlink(missing_ok=True)
    return stopped


def run(settings: StackSettings) -> int:
    data = settings.data_dir.resolve()
    settings = settings.model_copy(update={"data_dir": data})
    alive = running(data)
    if alive and "supervisor" not in alive:
        print(f"▸ a previous run was killed before it could stop everything; stopping what it"
              f" left running in {shown(data)}", flush=True)
        stop_left(data, alive)
    try:
        installed = discover_services()
        specs = settings.selected(installed)
        problem = claim(settings, specs)
    except ValueError as error:
        problem = str(error)
    if problem is not None:
        _error(problem)
        return 1
    private(data)
    (data / MARKER).write_text("Interlude's local data; `make reset` deletes this folder.\n")
    pid = os.getpid()
    write_pids(data, pid, {})
    new = "existing" if (data / "postgres" / "PG_VERSION").exists() else "new"
    names = ", ".join(spec.name for spec in specs) or "none"
    print(f"▸ Interlude: services {names}; {new} data folder {shown(data)}", flush=True)
    stack = Stack(settings, specs, on_change=lambda pids: write_pids(data, pid, pids))
    stack.handle_signals()
    code = 1
    try:
        code = start_and_supervise(stack, len(installed))
    finally:
        if stack.stop_signal:
            stack.say(f"▸ {stack.stop_signal} received: stopping everything")
        stack.stop()
        (data / PID_FILE).unlink(missing_ok=True)
    stack.say("▸ stopped" + ("" if code == 0 else " (after a failure, see above)"))
    return code


def reset(settings: StackSettings) -> int:
    data = settings.data_dir
    if not data.exists():
        print(f"▸ nothing to reset: {shown(data)} does not exist")
        return 0
    alive = running(data)
    if alive:
        pids = ", ".join(f"{name} (PID {pid})" for name, pid in alive.items())
        print(f"✗ refusing to reset {shown(data)}: these still run: {pids}; stop them first "
              "(Ctrl-C in the terminal of `make run`, or `make stop`)", file=sys.stderr)
        return 1
    if not (data / MARKER).exists() and any(data.iterdir()):
        print(f"✗ {shown(data)} does not look like Interlude's data folder (no {MARKER}); "
              "not deleting it", file=sys.stderr)
        return 1
    shutil.rmtree(data)
    print(f"▸ removed {shown(data)}: the next `make run` starts from scratch")
    return 0


def status(settings: StackSettings) -> int:
    alive = running(settings.data_dir)
    if not alive:
        print(f"▸ not running (data in {shown(settings.data_dir)})")
        return 1
    for name, pid in alive.items():
        print(f"▸ {name}: PID {pid}")
    return 0


def stop(settings: StackSettings) -> int:
    """Stop a run going on in another terminal (SIGTERM to its supervisor, which stops the rest
    as Ctrl-C would), or what a killed run left running."""
    data = settings.data_dir.resolve()
    alive = running(data)
    if not alive:
        print(f"▸ not running (data in {shown(data)})")
        return 0
    if "supervisor" in alive:
        pid = alive["supervisor"]
        print(f"▸ asking the run of PID {pid} to stop everything (SIGTERM) …", flush=True)
        try:
            stop_pid(pid, signal.SIGTERM, timeout=120)
        except RuntimeError as error:
            print(f"✗ {error}", file=sys.stderr)
            return 1
        alive = running(data)
        if not alive:
            print("▸ stopped")
            return 0
    return 0 if stop_left(data, alive) else 1


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="interlude-stack", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("run", help="start nats-server, PostgreSQL and every service; Ctrl-C stops")
    commands.add_parser("reset", help="delete the data folder (refuses while the stack runs)")
    commands.add_parser("status", help="say whether the stack runs, with its PIDs")
    commands.add_parser("stop", help="stop a run going on elsewhere, or what a killed run left")
    args = parser.parse_args(argv)
    action = {"run": run, "reset": reset, "status": status, "stop": stop}[args.command]
    sys.exit(action(StackSettings()))


if __name__ == "__main__":
    main()
