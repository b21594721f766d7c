"""A JSON request body takes a boolean, an integer or a number only as that JSON type, answered
with the 422 problem naming the field otherwise; and the guard every service asks finds a body
field that would take another."""

from __future__ import annotations

from typing import Annotated, Any

import httpx
import pytest
from fastapi import FastAPI, Form
from pydantic import BaseModel, Field, StrictBool, StrictFloat, StrictInt

from interlude.shared.http.problems import install_problem_handlers
from interlude.shared.kit import Instant, RequestBody, loose_scalars


class Nested(BaseModel):
    on: StrictBool = True


class ThingCreate(RequestBody):
    findable: StrictBool = False
    minutes: StrictInt | None = Field(default=None, ge=15, le=480)
    share: StrictFloat = 0.0
    starts_at: Instant | None = None
    sizes: list[StrictInt] = Field(default_factory=list)
    nested: Nested = Nested()


class LooseCreate(RequestBody):
    findable: bool = False
    nested: list[dict[str, int]] = Field(default_factory=list)


def _app() -> FastAPI:
    app = FastAPI()
    install_problem_handlers(app)

    @app.post("/things")
    async def create(body: ThingCreate) -> dict[str, Any]:
        return body.model_dump(mode="json")

    @app.post("/form")
    async def form(count: Annotated[int, Form()]) -> int:
        return count  # a form's values are text: not a JSON body

    return app


async def _post(body: dict[str, Any]) -> httpx.Response:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=_app()),
                                 base_url="http://kit.test") as client:
        return await client.post("/things", json=body)


@pytest.mark.parametrize(("body", "location"), [
    ({"findable": 0}, "body.findable"), ({"findable": 1}, "body.findable"),
    ({"findable": "true"}, "body.findable"), ({"minutes": "30"}, "body.minutes"),
    ({"minutes": 30.5}, "body.minutes"), ({"minutes": 30.0}, "body.minutes"),
    ({"minutes": True}, "body.minutes"), ({"share": "0.5"}, "body.share"),
    ({"share": False}, "body.share"), ({"sizes": ["1"]}, "body.sizes.0"),
    ({"nested": {"on": 0}}, "body.nested.on"),
])
async def test_a_value_of_another_json_type_is_a_problem_naming_the_field(
        body: dict[str, Any], location: str) -> None:
    response = await _post(body)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    problem = response.json()
    assert problem["type"] == "urn:interlude:problem:validation"
    assert [e["location"] for e in problem["errors"]] == [location]
    assert problem["detail"].startswith(location + ": Input should be a valid")


async def test_values_of_their_own_json_type_are_taken_and_an_instant_as_iso_text() -> None:
    response = await _post({"findable": True, "minutes": 45, "share": 1,
                            "starts_at": "2026-12-03T09:00:00+01:00", "sizes": [1, 2],
                            "nested": {"on": False}})
    assert response.status_code == 200, response.text
    assert response.json() == {"findable": True, "minutes": 45, "share": 1.0,
                               "starts_at": "2026-12-03T09:00:00+01:00", "sizes": [1, 2],
                               "nested": {"on": False}}


def test_the_guard_names_each_loose_field_of_a_json_body_and_leaves_forms_alone() -> None:
    assert loose_scalars(_app()) == []
    app = _app()

    @app.put("/loose")
    async def loose(body: LooseCreate) -> None:
        return None

    assert loose_scalars(app) == [
        "PUT /loose body.findable: bool (use StrictBool)",
        "PUT /loose body.nested: int (use StrictInt)"]
