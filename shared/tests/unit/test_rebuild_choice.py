"""Which projections the worker's ``rebuild`` command takes for the names it is given."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from interlude.shared.projections.base import Projection, Together
from interlude.shared.projections.rebuilding import chosen


class View(Projection):
    name = "svc-view"
    tables = ("view",)


class Trail(Projection):
    name = "svc-trail"
    rebuildable = False


def runner(projection: Projection) -> Any:
    return SimpleNamespace(name=projection.name, projection=projection)


RUNNERS = [runner(View()), runner(Trail()), runner(Together("svc-both", View(), Trail()))]


def test_all_means_every_projection_a_replay_would_not_act_again() -> None:
    todo, refusal = chosen(RUNNERS, ["all"])
    assert refusal is None and [r.name for r in todo] == ["svc-view"]


def test_a_name_it_does_not_know_is_refused_with_the_names_it_knows() -> None:
    todo, refusal = chosen(RUNNERS, ["svc-view", "svc-veiw"])
    assert todo == [] and refusal is not None
    assert "svc-veiw" in refusal and "svc-view, svc-trail, svc-both" in refusal


def test_a_projection_that_must_not_be_replayed_is_refused_even_inside_a_together() -> None:
    for name in ("svc-trail", "svc-both"):
        todo, refusal = chosen(RUNNERS, [name])
        assert todo == [] and refusal is not None and "cannot be rebuilt" in refusal


def test_names_given_twice_are_rebuilt_once_in_the_order_given() -> None:
    todo, refusal = chosen([runner(View()), runner(type("Other", (View,), {"name": "b"})())],
                           ["b", "svc-view", "b"])
    assert refusal is None and [r.name for r in todo] == ["b", "svc-view"]


def test_a_projection_an_api_runs_is_rebuilt_only_when_named() -> None:
    trust = runner(type("Trust", (View,), {"name": "svc-trust", "runs_in": "api"})())
    todo, refusal = chosen([*RUNNERS, trust], ["all"])
    assert refusal is None and [r.name for r in todo] == ["svc-view"]
    todo, refusal = chosen([*RUNNERS, trust], ["svc-trust"])
    assert refusal is None and [r.name for r in todo] == ["svc-trust"]
