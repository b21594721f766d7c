"""Problems for input the framework itself refuses, as a route's OpenAPI declares them."""

from __future__ import annotations

import httpx
from fastapi import FastAPI
from pydantic import BaseModel

from interlude.shared.http.problems import MEDIA_TYPE, install_problem_handlers


class Note(BaseModel):
    text: str


def _app() -> FastAPI:
    app = FastAPI()
    install_problem_handlers(app)

    @app.post("/notes")
    async def create(note: Note) -> Note:
        return note

    return app


async def test_a_body_that_is_not_utf8_text_is_the_same_422_problem_as_malformed_json():
    # schemathesis found FastAPI's bare 400 here, a status no route declares
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=_app()),
                                 base_url="http://t") as client:
        binary = await client.post("/notes", content=b"\x19\xff\xfe",
                                   headers={"Content-Type": "application/json"})
        malformed = await client.post("/notes", content=b"{not json",
                                      headers={"Content-Type": "application/json"})
    assert binary.status_code == malformed.status_code == 422
    assert binary.headers["content-type"] == MEDIA_TYPE
    assert binary.json()["type"] == malformed.json()["type"]
    assert "UTF-8" in binary.json()["detail"]
