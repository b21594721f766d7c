"""Every page that changes something takes its form through the CSRF check: a route added
without it fails here."""

from __future__ import annotations

from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute

from interlude.web.deps import checked_form
from interlude.web.main import ROUTERS


def _calls(dependant: Dependant) -> set[object]:
    found = {dependant.call}
    for sub in dependant.dependencies:
        found |= _calls(sub)
    return found


def test_every_route_that_is_not_a_read_checks_the_forms_token() -> None:
    routes = [r for router in ROUTERS for r in router.routes if isinstance(r, APIRoute)]
    writes = [r for r in routes if r.methods - {"GET", "HEAD"}]
    assert len(writes) >= 7
    unchecked = [r.path for r in writes if checked_form not in _calls(r.dependant)]
    assert unchecked == []
