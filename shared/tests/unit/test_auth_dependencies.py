"""The FastAPI side of authentication: the principal as a dependency, 401 and 403 problems."""

import time
from datetime import timedelta
from typing import Annotated

import httpx
import pytest
from fastapi import Depends, FastAPI

from interlude.shared.auth import Principal, PrincipalDep, ServiceDep, install_auth, require_roles
from interlude.shared.auth.principal import from_timestamp_ms
from interlude.shared.http.app import create_app
from interlude.shared.testing.tokens import TokenSigner

USER = "u-1"


@pytest.fixture
def signer() -> TokenSigner:
    return TokenSigner()


@pytest.fixture
def api(signer) -> FastAPI:
    app = create_app("test-auth")
    install_auth(app, signer.verifier())

    @app.get("/me")
    async def me(principal: PrincipalDep) -> dict:
        return {"user": principal.user_id, "roles": sorted(principal.roles)}

    @app.get("/admin")
    async def admin(principal: Annotated[Principal, Depends(require_roles("org_admin"))]) -> dict:
        return {"user": principal.user_id}

    @app.get("/internal")
    async def internal(principal: ServiceDep) -> dict:
        return {"service": principal.user_id}

    return app


@pytest.fixture
async def client(api):
    transport = httpx.ASGITransport(app=api)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        yield http


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


async def test_a_valid_token_reaches_the_route(client, signer):
    token = signer.sign(sub=USER, roles=["coachee", "coach"])
    response = await client.get("/me", headers=bearer(token))
    assert response.status_code == 200
    assert response.json() == {"user": USER, "roles": ["coach", "coachee"]}


async def test_no_token_is_a_401_problem_saying_how_to_sign_in(client):
    for headers in ({}, {"Authorization": "Basic dXNlcjpwYXNz"}, {"Authorization": "Bearer "}):
        response = await client.get("/me", headers=headers)
        assert response.status_code == 401
        assert response.headers["content-type"] == "application/problem+json"
        assert response.headers["www-authenticate"] == "Bearer"
        body = response.json()
        assert body["type"] == "urn:interlude:problem:unauthenticated"
        assert body["detail"] == "sign in first: send Authorization: Bearer <access token>"


async def test_an_invalid_token_is_a_401_problem_with_the_reason(client, signer):
    past = time.time() - 3600
    response = await client.get("/me", headers=bearer(signer.sign(iat=past, exp=int(past))))
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == 'Bearer error="invalid_token"'
    body = response.json()
    assert body["type"] == "urn:interlude:problem:unauthenticated"
    assert body["reason"] == "expired" and "refresh it or sign in again" in body["detail"]


async def test_a_missing_role_is_a_403_problem_naming_it(client, signer):
    response = await client.get("/admin", headers=bearer(signer.sign()))
    assert response.status_code == 403
    body = response.json()
    assert body["type"] == "urn:interlude:problem:role-required"
    assert body["roles_required"] == ["org_admin"] and "org_admin" in body["detail"]
    admin = await client.get("/admin", headers=bearer(signer.sign(roles=["org_admin"])))
    assert admin.status_code == 200


async def test_service_routes_refuse_users_and_admit_services(client, signer):
    response = await client.get("/internal", headers=bearer(signer.sign()))
    assert response.status_code == 403 and response.json()["roles_required"] == ["service"]
    service = signer.sign(sub="service:audit", tid="*", roles=["service"], kind="service")
    assert (await client.get("/internal", headers=bearer(service))).json() == {
        "service": "service:audit"}


async def test_auth_works_on_a_bare_fastapi_app(signer):
    app = FastAPI()
    install_auth(app, signer.verifier())

    @app.get("/me")
    async def me(principal: PrincipalDep) -> dict:
        return {"user": principal.user_id}

    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        assert (await http.get("/me")).json()["type"] == "urn:interlude:problem:unauthenticated"
        assert (await http.get("/me", headers=bearer(signer.sign()))).status_code == 200


def test_principal_times_keep_millisecond_precision():
    assert from_timestamp_ms(1795000000.123).microsecond == 123000
    assert from_timestamp_ms(1795000000.999) - from_timestamp_ms(1795000000.998) == \
        timedelta(milliseconds=1)


async def test_before_the_verifier_is_set_a_request_is_told_to_retry(signer):
    app = create_app("starting")
    install_auth(app)

    @app.get("/me")
    async def me(principal: PrincipalDep) -> dict:
        return {"user": principal.user_id}

    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        starting = await http.get("/me", headers=bearer(signer.sign()))
        assert starting.status_code == 503 and starting.headers["retry-after"] == "1"
        app.state.token_verifier = signer.verifier()
        assert (await http.get("/me", headers=bearer(signer.sign()))).status_code == 200
