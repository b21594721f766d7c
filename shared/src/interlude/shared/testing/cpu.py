"""CPU used by the processes of a benchmark, read from /proc: what a phase costs where, which a
rate alone cannot say on a machine shared with other work (a rate halves when something else
takes a core; CPU per request does not move)."""

from __future__ import annotations

import os
import time
from pathlib import Path

TICK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(processes: dict[str, int | None], *, with_children: tuple[str, ...] = (),
                ) -> dict[str, float]:
    """CPU seconds used so far: ``python`` (this process) and each named PID (None counts 0);
    a name in ``with_children`` adds its direct children (PostgreSQL's postmaster and its
    backends: a backend that ended since the last reading takes its seconds with it, so read
    while the pools stay open)."""
    used = {"python": time.process_time()}
    parents = {processes[name]: name for name in with_children if processes.get(name)}
    children: dict[str, float] = dict.fromkeys(parents.values(), 0.0)
    if parents:
        for entry in os.listdir("/proc"):
            if entry.isdigit() and (fields := _stat(int(entry))):
                name = parents.get(int(fields[1]))
                if name is not None:
                    children[name] += _seconds(fields)
    for name, pid in processes.items():
        fields = _stat(pid) if pid else []
        used[name] = (_seconds(fields) if fields else 0.0) + children.get(name, 0.0)
    return used


def cpu_per(before: dict[str, float], after: dict[str, float], count: int) -> dict[str, float]:
    """Microseconds of CPU per item, by process, between two :func:`cpu_seconds`."""
    return {k: round((after[k] - before[k]) / max(count, 1) * 1e6, 1) for k in before}


def _seconds(fields: list[str]) -> float:
    return (int(fields[11]) + int(fields[12])) / TICK  # utime + stime


def _stat(pid: int) -> list[str]:
    """The fields of /proc/<pid>/stat after the command's name; [] once the process is gone."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return []
