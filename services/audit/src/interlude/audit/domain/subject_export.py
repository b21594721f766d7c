"""A person's export (subject access and portability) as one ZIP: ``manifest.json`` (whose data,
who asked, when and why, which services answered and which did not, and why), one
machine-readable ``<service>.json`` per section, and ``index.html``, one page a person can open
in a browser that shows the same, every value escaped. Pure: the sections come gathered."""

from __future__ import annotations

import html
import io
import zipfile
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import orjson

TITLES = {"identity": "Your account", "engagement": "Your coaching: contracts, check-ins,"
          " messages, goals", "community": "Your cohorts: spaces, posts, comments",
          "notify": "Your notifications and preferences",
          "audit": "Who has read your data, or tried to"}


def manifest(*, export_id: str, tenant_id: str, subject_id: str, requester_id: str,
             reason: str | None, requested_at: datetime, expires_at: datetime,
             sections: list[str], missing: Mapping[str, str]) -> dict[str, Any]:
    return {"export_id": export_id, "organisation": tenant_id, "subject_id": subject_id,
            "requested_by": requester_id, "on_behalf": requester_id != subject_id,
            "reason": reason, "requested_at": requested_at.isoformat(),
            "expires_at": expires_at.isoformat(), "sections": sections,
            "missing": dict(missing),
            "note": "Other people's personal data is left out: other members' names, notes "
                    "about other people, anything sealed for someone else."}


def archive(about: Mapping[str, Any], sections: Mapping[str, Any],
            when: datetime) -> bytes:
    """The ZIP of ``sections`` (by service) with ``about`` as its manifest."""
    stamp = (max(when.year, 1980), when.month, when.day, when.hour, when.minute, when.second)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zipped:
        def add(name: str, data: bytes) -> None:
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            zipped.writestr(info, data)

        add("manifest.json", orjson.dumps(about, option=orjson.OPT_INDENT_2))
        for service in sorted(sections):
            add(f"{service}.json", orjson.dumps(sections[service], option=orjson.OPT_INDENT_2,
                                                default=str))
        add("index.html", page(about, sections).encode())
    return buffer.getvalue()


def page(about: Mapping[str, Any], sections: Mapping[str, Any]) -> str:
    """The readable page: what the export is, what is missing, then each section."""
    missing = about.get("missing") or {}
    parts = [
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">",
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">",
        "<title>Your data in Interlude</title><style>body{font:16px/1.5 system-ui,sans-serif;"
        "max-width:60rem;margin:2rem auto;padding:0 1rem;color:#1d1d1f}dt{font-weight:600}"
        "dd{margin:0 0 .5rem 1rem}section{border-top:1px solid #ccc;margin-top:2rem}"
        ".missing{background:#fff4e5;padding:.5rem 1rem}</style></head><body>",
        "<h1>Your data in Interlude</h1>",
        f"<p>Exported {_e(about.get('requested_at'))}; this archive is kept until "
        f"{_e(about.get('expires_at'))}. The same data is in the JSON files beside this page, "
        "one per part of the product.</p>",
        f"<p>{_e(about.get('note'))}</p>",
    ]
    if about.get("on_behalf"):
        parts.append(f"<p>Asked for on your behalf by a compliance officer: "
                     f"{_e(about.get('reason'))}</p>")
    if missing:
        items = "".join(f"<li><strong>{_e(s)}</strong>: {_e(why)}</li>"
                        for s, why in sorted(missing.items()))
        parts.append(f"<div class=\"missing\"><p>These parts did not answer, so their data "
                     f"is not in this export; ask again later:</p><ul>{items}</ul></div>")
    for service in sorted(sections):
        parts.append(f"<section><h2>{_e(TITLES.get(service, service))}</h2>"
                     f"{_render(sections[service])}</section>")
    parts.append("</body></html>")
    return "".join(parts)


def _e(value: object) -> str:
    return html.escape("" if value is None else str(value))


def _render(value: Any, depth: int = 0) -> str:
    if isinstance(value, Mapping):
        if not value:
            return "<p>nothing</p>"
        rows = "".join(f"<dt>{_e(str(k).replace('_', ' '))}</dt><dd>{_render(v, depth + 1)}</dd>"
                       for k, v in value.items())
        return f"<dl>{rows}</dl>"
    if isinstance(value, list):
        if not value:
            return "<p>none</p>"
        return "<ol>" + "".join(f"<li>{_render(v, depth + 1)}</li>" for v in value) + "</ol>"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return _e(value)
