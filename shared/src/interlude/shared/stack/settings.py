"""Settings of the embedded stack (``make run``), read from ``INTERLUDE_*`` environment variables.

Every port is a setting and is checked before use: a taken port stops the start-up with a
message naming the variable to set, instead of a confusing failure of some child process.
"""

from __future__ import annotations

import os
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from interlude.shared.service import ServiceSpec
from interlude.shared.stack.ports import PortTaken, is_free

PREFIX = "INTERLUDE_"


def project_root(start: Path | None = None) -> Path:
    """The nearest folder holding ``uv.lock`` (the workspace root), else the current folder."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / "uv.lock").exists():
            return folder
    return here


def port_setting(service: str) -> str:
    """The variable that sets a service's API port: ``identity`` -> ``INTERLUDE_IDENTITY_PORT``."""
    return f"{PREFIX}{service.upper().replace('-', '_')}_PORT"


class StackSettings(BaseSettings):
    """Where the stack keeps its data and which loopback ports it listens on."""

    model_config = SettingsConfigDict(env_prefix=PREFIX, extra="ignore")

    data_dir: Path = Field(default_factory=lambda: project_root() / ".data")
    nats_port: int = 4222
    nats_monitor_port: int = 8222
    pg_port: int = 5432
    # fsync before acknowledging a publish: an acknowledged event survives a power loss
    nats_sync_always: bool = True
    # comma-separated names of the services to run ("" for none); unset: every installed one
    services: str | None = None
    # the mail sink's SMTP port (the services send e-mail there); unset: a free one each run
    smtp_port: int | None = None

    def selected(self, installed: list[ServiceSpec]) -> list[ServiceSpec]:
        """The installed services this run starts, in their start order."""
        if self.services is None:
            return installed
        wanted = {name.strip() for name in self.services.split(",") if name.strip()}
        unknown = wanted - {spec.name for spec in installed}
        if unknown:
            names = ", ".join(spec.name for spec in installed) or "none"
            raise ValueError(f"{PREFIX}SERVICES names {', '.join(sorted(unknown))}, which is not "
                             f"installed (installed: {names})")
        return [spec for spec in installed if spec.name in wanted]

    def service_port(self, spec: ServiceSpec) -> int:
        """``INTERLUDE_<NAME>_PORT``, else the service's default port."""
        value = os.environ.get(port_setting(spec.name))
        if value is None:
            return spec.default_port
        try:
            return int(value)
        except ValueError:
            raise ValueError(f"{port_setting(spec.name)}={value!r} is not a port number") from None

    def ports(self, specs: list[ServiceSpec]) -> list[tuple[int, str]]:
        """Every port the stack will listen on, with the variable that sets it."""
        ports = [(self.nats_port, f"{PREFIX}NATS_PORT"),
                 (self.nats_monitor_port, f"{PREFIX}NATS_MONITOR_PORT"),
                 (self.pg_port, f"{PREFIX}PG_PORT")]
        ports += [(self.service_port(s), port_setting(s.name)) for s in specs if s.api]
        if self.smtp_port is not None:
            ports.append((self.smtp_port, f"{PREFIX}SMTP_PORT"))
        return ports


class PortProblem(RuntimeError):
    """One or more configured ports cannot be used; the message says what to set."""


def check_ports(settings: StackSettings, specs: list[ServiceSpec]) -> None:
    """Raise :class:`PortProblem` listing every taken or doubly configured port."""
    problems: list[str] = []
    seen: dict[int, str] = {}
    for port, setting in settings.ports(specs):
        if port in seen:
            problems.append(f"{setting} and {seen[port]} are both {port}; give each its own port")
            continue
        seen[port] = setting
        if not is_free(port):
            problems.append(str(PortTaken(port, setting)))
    if problems:
        raise PortProblem("\n".join(problems))
