"""Write the NATS users of the Kubernetes overlays from ``interlude.shared.nats_permissions``,
so a service runs with the same permissions in a cluster as under ``make run``:

    uv run python deploy/k8s/nats_users.py          # rewrite both files
    uv run python deploy/k8s/nats_users.py --check  # exit 1 if either is out of date

It rewrites the users of ``overlays/production/nats-values.yaml`` (the NATS Helm chart's
``config.merge.authorization.users``) and of ``overlays/dev/nats.conf`` (the server's own
format); nothing else in either file. Passwords stay references to the environment
(``$<USER>_PASSWORD``, from the Secret interlude-nats-credentials). web has no NATS user."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

from interlude.shared.nats_permissions import Permissions, service_permissions
from interlude.shared.service import discover_services

HERE = Path(__file__).parent
PRODUCTION = HERE / "overlays" / "production" / "nats-values.yaml"
DEV = HERE / "overlays" / "dev" / "nats.conf"
NO_NATS = {"web"}  # calls the APIs only


def users() -> list[tuple[str, Permissions | None]]:
    return [("admin", None), *((spec.name, service_permissions(spec))
                               for spec in discover_services() if spec.name not in NO_NATS)]


def _permissions(permissions: Permissions) -> dict[str, Any]:
    found: dict[str, Any] = {"publish": {"allow": list(permissions.publish)},
                             "subscribe": {"allow": list(permissions.subscribe)}}
    if permissions.responses is not None:
        most, expires = permissions.responses
        found["allow_responses"] = {"max": most, "expires": expires}
    return found


def yaml_users() -> str:
    lines = ["      users:"]
    for name, permissions in users():
        lines += [f"      - user: {name}", f"        password: << ${name.upper()}_PASSWORD >>"]
        if permissions is None:
            continue
        lines.append("        permissions:")
        for key, value in _permissions(permissions).items():
            lines.append(f"          {key}:")
            for inner, items in value.items():
                if isinstance(items, list):
                    lines.append(f"            {inner}:")
                    lines += [f"            - {item}" for item in items]
                else:
                    lines.append(f"            {inner}: {json.dumps(items)}")
    return "\n".join(lines) + "\n"


def conf_users() -> str:
    entries = []
    for name, permissions in users():
        entry: dict[str, Any] = {"user": name, "password": f"__{name.upper()}__"}
        if permissions is not None:
            entry["permissions"] = _permissions(permissions)
        text = json.dumps(entry, indent=2).replace(f'"__{name.upper()}__"',
                                                    f"${name.upper()}_PASSWORD")
        entries.append("\n".join("    " + line for line in text.splitlines()))
    return "  users: [\n" + ",\n".join(entries) + "\n  ]\n"


def rewritten() -> dict[Path, str]:
    production = PRODUCTION.read_text()
    production = re.sub(r"      users:\n(?:      [ -].*\n)*", lambda _: yaml_users(), production,
                        count=1)
    dev = DEV.read_text()
    dev = re.sub(r"  users: \[\n.*?\n  \]\n", lambda _: conf_users(), dev, count=1,
                 flags=re.DOTALL)
    return {PRODUCTION: production, DEV: dev}


def main() -> int:
    stale = [path for path, text in rewritten().items() if path.read_text() != text]
    if "--check" in sys.argv[1:]:
        for path in stale:
            print(f"{path} is out of date: run python deploy/k8s/nats_users.py")
        return 1 if stale else 0
    for path, text in rewritten().items():
        path.write_text(text)
    print(f"rewrote {len(stale)} file(s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
