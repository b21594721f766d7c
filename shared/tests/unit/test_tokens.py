"""Access tokens: verification refuses everything but identity's EdDSA tokens, keys come from
a real JWKS endpoint, service credentials are fetched and cached (the FastAPI dependencies are
in test_auth_dependencies.py)."""

import asyncio
import base64
import hashlib
import hmac
import json
import time
import uuid
from datetime import UTC, datetime
from urllib.parse import parse_qs

import jwt
import pytest
import uvicorn
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from fastapi import FastAPI, Request, Response

from interlude.shared.auth import (
    InvalidToken,
    JwksKeySource,
    ServiceCredential,
    StaticKeySource,
    TokenVerifier,
    public_jwk,
    service_secret,
)
from interlude.shared.events.envelope import Actor
from interlude.shared.stack.ports import free_port
from interlude.shared.testing.eventually import eventually
from interlude.shared.testing.tokens import TokenSigner, token_claims

TENANT = uuid.uuid4().hex
USER = uuid.uuid4().hex


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def claims(**changes) -> dict:
    return token_claims(**{"sub": USER, "tid": TENANT, "roles": ["coachee", "coach"], "pv": 3,
                           "amr": ["pwd", "otp"], **changes})


class Signer(TokenSigner):
    def sign(self, **changes) -> str:
        return super().sign(**{"sub": USER, "tid": TENANT, "roles": ["coachee", "coach"],
                               "pv": 3, "amr": ["pwd", "otp"], **changes})


def forge(header: dict, payload: dict, signature: bytes = b"") -> str:
    head = b64(json.dumps(header).encode())
    body = b64(json.dumps(payload).encode())
    return f"{head}.{body}.{b64(signature)}"


def hs256(header: dict, payload: dict, secret: bytes) -> str:
    unsigned = forge(header, payload).rsplit(".", 1)[0]
    return f"{unsigned}.{b64(hmac.new(secret, unsigned.encode(), hashlib.sha256).digest())}"


@pytest.fixture
def signer() -> Signer:
    return Signer()


@pytest.fixture
def verifier(signer) -> TokenVerifier:
    return TokenVerifier(StaticKeySource({signer.kid: signer.public}))


async def refused(verifier: TokenVerifier, token: str) -> str:
    with pytest.raises(InvalidToken) as caught:
        await verifier.verify(token)
    return caught.value.reason


# -- verification ---------------------------------------------------------------------------

async def test_a_good_token_gives_the_principal(signer, verifier):
    token = signer.sign(iat=1795000000.123, exp=int(time.time()) + 60)
    principal = await verifier.verify(token)
    assert principal.user_id == USER and principal.tenant_id == TENANT
    assert principal.roles == frozenset({"coachee", "coach"}) and principal.policy_version == 3
    assert principal.kind == "user" and principal.amr == ("pwd", "otp")
    assert principal.issued_at == datetime(2026, 11, 18, 11, 6, 40, 123000, tzinfo=UTC)
    assert principal.actor == Actor(id=USER, roles=("coach", "coachee"), kind="user")
    assert principal.has("sponsor", "coach") and not principal.has("org_admin")


async def test_a_service_token_gives_a_service_principal(signer, verifier):
    token = signer.sign(sub="service:notify", tid="*", roles=["service"], pv=None,
                        kind="service", amr=None)
    principal = await verifier.verify(token)
    assert principal.kind == "service" and principal.policy_version is None
    assert principal.actor.kind == "service" and principal.amr == ()


async def test_a_tampered_payload_is_refused(signer, verifier):
    head, _, sig = signer.sign().split(".")
    body = b64(json.dumps(claims(roles=["org_admin"])).encode())
    assert await refused(verifier, f"{head}.{body}.{sig}") == "bad-signature"


async def test_a_tampered_signature_is_refused(signer, verifier):
    head, body, sig = signer.sign().split(".")
    raw = bytearray(base64.urlsafe_b64decode(sig + "=="))
    raw[10] ^= 0x01
    assert await refused(verifier, f"{head}.{body}.{b64(bytes(raw))}") == "bad-signature"


async def test_an_expired_token_is_refused(signer, verifier):
    past = time.time() - 3600
    assert await refused(verifier, signer.sign(iat=past, exp=int(past) + 60)) == "expired"


async def test_alg_none_is_refused(signer, verifier):
    token = forge({"alg": "none", "typ": "JWT", "kid": signer.kid}, claims())
    assert await refused(verifier, token) == "algorithm"


async def test_hs256_signed_with_the_public_key_is_refused(signer, verifier):
    raw = signer.public.public_bytes(Encoding.Raw, PublicFormat.Raw)
    pem = signer.public.public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo)
    for secret in (raw, pem):
        token = hs256({"alg": "HS256", "typ": "JWT", "kid": signer.kid}, claims(), secret)
        assert await refused(verifier, token) == "algorithm"


async def test_rs256_is_refused(signer, verifier):
    rsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    token = jwt.encode(claims(), rsa_key, algorithm="RS256", headers={"kid": signer.kid})
    assert await refused(verifier, token) == "algorithm"


async def test_a_token_from_another_issuer_or_for_another_audience_is_refused(signer, verifier):
    assert await refused(verifier, signer.sign(iss="urn:someone:else")) == "wrong-issuer"
    assert await refused(verifier, signer.sign(aud="another-app")) == "wrong-audience"


@pytest.mark.parametrize("claim", ["tid", "exp", "sub", "kind", "roles", "pv", "jti"])
async def test_a_token_missing_a_claim_is_refused(signer, verifier, claim):
    assert await refused(verifier, signer.sign(**{claim: None})) == "missing-claim"


async def test_a_user_token_for_every_tenant_is_refused(signer, verifier):
    assert await refused(verifier, signer.sign(tid="*")) == "missing-claim"


async def test_an_unknown_kid_or_garbage_is_refused(verifier):
    assert await refused(verifier, Signer("k-other").sign()) == "unknown-key"
    assert await refused(verifier, "not a token") == "malformed"
    assert await refused(verifier, "eyJhbGciOiJFZERTQSJ9.%%%.x") == "unknown-key"


class Revoked:
    def __init__(self, after: datetime) -> None:
        self.after = after

    def is_revoked(self, tenant_id: str, user_id: str, issued_at: datetime) -> bool:
        return user_id == USER and issued_at < self.after


async def test_a_revoked_token_is_refused_and_a_newer_one_accepted(signer):
    now = time.time()
    verifier = TokenVerifier(StaticKeySource({signer.kid: signer.public}),
                             revocations=Revoked(datetime.fromtimestamp(now - 10, UTC)))
    assert await refused(verifier, signer.sign(iat=round(now - 20, 3))) == "revoked"
    assert (await verifier.verify(signer.sign(iat=round(now - 5, 3)))).user_id == USER


# -- keys from a real JWKS endpoint ---------------------------------------------------------

class Identity:
    """A stand-in for identity on a real port: JWKS and service tokens."""

    def __init__(self) -> None:
        self.keys: dict[str, dict] = {}
        self.jwks_hits = 0
        self.tokens_issued = 0
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        app = FastAPI()

        @app.get("/.well-known/jwks.json")
        async def jwks() -> dict:
            self.jwks_hits += 1
            return {"keys": list(self.keys.values())}

        @app.post("/v1/service-tokens")
        async def service_tokens(request: Request, response: Response) -> dict:
            form = {k: v[0] for k, v in parse_qs((await request.body()).decode()).items()}
            if form.get("grant_type") != "client_credentials" or \
                    form.get("client_secret") != service_secret(b"m" * 32, form["client_id"]):
                response.status_code = 401
                return {"error": "invalid_client"}
            self.tokens_issued += 1
            return {"access_token": f"token-{self.tokens_issued}", "expires_in": 31.5,
                    "token_type": "Bearer"}

        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=self.port,
                                                    log_level="warning", lifespan="off"))
        self.task: asyncio.Task | None = None

    def publish(self, signer: Signer) -> None:
        self.keys[signer.kid] = public_jwk(signer.kid, signer.public)

    async def start(self) -> None:
        self.task = asyncio.create_task(self.server.serve())
        await eventually(lambda: self.server.started, what="the identity stand-in listening")

    async def stop(self) -> None:
        self.server.should_exit = True
        await self.task


@pytest.fixture
async def identity():
    server = Identity()
    await server.start()
    yield server
    if not server.server.should_exit:
        await server.stop()


async def test_jwks_refreshes_on_a_new_kid_during_rotation(identity):
    old, new = Signer("2026-10"), Signer("2026-11")
    identity.publish(old)
    keys = JwksKeySource(identity.url + "/.well-known/jwks.json", min_refresh_interval=0)
    verifier = TokenVerifier(keys)
    assert (await verifier.verify(old.sign())).user_id == USER
    identity.publish(new)  # identity rotates: the new kid is unknown to our cache
    assert (await verifier.verify(new.sign())).user_id == USER
    assert (await verifier.verify(old.sign())).user_id == USER  # both during rotation
    assert identity.jwks_hits == 2 and keys.kids == {"2026-10", "2026-11"}
    await keys.aclose()


async def test_jwks_refetches_for_unknown_kids_at_most_once_per_interval(identity):
    identity.publish(Signer("real"))
    keys = JwksKeySource(identity.url + "/.well-known/jwks.json", min_refresh_interval=0.5)
    verifier = TokenVerifier(keys)
    garbage = [Signer(f"made-up-{i}").sign() for i in range(20)]
    results = await asyncio.gather(*(verifier.verify(t) for t in garbage),
                                   return_exceptions=True)
    assert all(isinstance(r, InvalidToken) and r.reason == "unknown-key" for r in results)
    assert identity.jwks_hits == 1
    await asyncio.sleep(0.6)
    assert await refused(verifier, garbage[0]) == "unknown-key"
    assert identity.jwks_hits == 2
    await keys.aclose()


async def test_cached_keys_keep_working_while_identity_is_down(identity):
    signer = Signer("k1")
    identity.publish(signer)
    keys = JwksKeySource(identity.url + "/.well-known/jwks.json", min_refresh_interval=0,
                         ttl=0)
    verifier = TokenVerifier(keys)
    assert (await verifier.verify(signer.sign())).user_id == USER
    await identity.stop()
    assert not await keys.refresh(force=True)  # identity is down: the fetch fails
    for _ in range(3):  # every verify now tries a background refresh (ttl 0), and fails
        assert (await verifier.verify(signer.sign())).user_id == USER
        await asyncio.sleep(0.05)
    assert await refused(verifier, Signer("k2").sign()) == "unknown-key"
    assert keys.fetches >= 3
    await keys.aclose()


# -- service credentials ------------------------------------------------------------------

def test_service_secret_is_a_keyed_derivation():
    master = b"m" * 32
    secret = service_secret(master, "notify")
    digest = hmac.new(master, b"interlude service credential:notify", hashlib.sha256).digest()
    assert secret == base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
    assert "=" not in secret and secret != service_secret(master, "audit")
    assert secret != service_secret(b"n" * 32, "notify")


async def test_service_credential_caches_its_token_until_shortly_before_expiry(identity):
    credential = ServiceCredential(identity.url + "/v1/service-tokens", "notify",
                                   service_secret(b"m" * 32, "notify"))
    assert await credential.headers() == {"Authorization": "Bearer token-1"}
    assert await credential.token() == "token-1"  # cached
    assert identity.tokens_issued == 1
    await asyncio.sleep(1.6)  # expires_in 31.5 s: refreshed 30 s before, so after 1.5 s
    assert await credential.token() == "token-2"
    await credential.aclose()


async def test_service_credential_with_a_wrong_secret_is_refused(identity):
    from interlude.shared.auth import CredentialUnavailable

    credential = ServiceCredential(identity.url + "/v1/service-tokens", "notify", "guess")
    with pytest.raises(CredentialUnavailable, match="status 401"):
        await credential.token()
    await credential.aclose()
