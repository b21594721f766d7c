"""An organisation's OpenID Connect provider, over HTTP: discovery and its keys (cached), the
authorization URL with PKCE, the code exchange and the ID token's checks. Tests give the client
a transport of their own; the test provider (``tests/oidc_provider.py``) is a real HTTP server."""

from __future__ import annotations

import time
import warnings
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import authlib.deprecate  # noqa: F401 (installs its "always" filter before ours below)
import httpx
from joserfc import jwt
from joserfc.errors import ExpiredTokenError, InvalidKeyIdError, JoseError, MissingKeyError
from joserfc.jwk import KeySet

with warnings.catch_warnings():  # Authlib 1.9 prefers httpx2 and warns when it uses httpx
    warnings.filterwarnings("ignore", "The httpx module is deprecated", DeprecationWarning)
    from authlib.integrations.httpx_client import AsyncOAuth2Client, OAuthError

SCOPE = "openid email profile"
# asymmetric algorithms only: "none" and HS256 (keyed with the client secret) are never accepted
ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "ES256", "ES384", "EdDSA")
AUTH_METHODS = ("client_secret_basic", "client_secret_post")


class OidcError(Exception):
    """The provider failed or answered something we cannot trust; ``reason`` is for the log and
    the audit trail, the message for the person."""

    def __init__(self, message: str, reason: str) -> None:
        super().__init__(message)
        self.reason = reason


class ProviderUnavailable(OidcError):
    """The provider did not answer, or not with what its discovery promised."""


@dataclass(frozen=True)
class Provider:
    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    jwks_uri: str
    auth_method: str
    algorithms: tuple[str, ...]

    @classmethod
    def from_discovery(cls, issuer: str, doc: dict[str, Any]) -> Provider:
        if doc.get("issuer") != issuer:  # OpenID Connect Discovery 1.0, section 4.3
            raise ProviderUnavailable("the identity provider's discovery names another issuer",
                                      "issuer-mismatch")
        missing = [k for k in ("authorization_endpoint", "token_endpoint", "jwks_uri")
                   if not isinstance(doc.get(k), str)]
        if missing:
            raise ProviderUnavailable(f"the identity provider's discovery lacks {missing[0]}",
                                      "discovery-incomplete")
        methods = doc.get("token_endpoint_auth_methods_supported") or ["client_secret_basic"]
        method = next((m for m in AUTH_METHODS if m in methods), None)
        if method is None:
            raise ProviderUnavailable("the identity provider offers no client authentication we"
                                      " support (client_secret_basic or client_secret_post)",
                                      "auth-method-unsupported")
        offered = doc.get("id_token_signing_alg_values_supported") or ["RS256"]
        return cls(issuer, doc["authorization_endpoint"], doc["token_endpoint"], doc["jwks_uri"],
                   method, tuple(a for a in offered if a in ALGORITHMS) or ("RS256",))


@dataclass(frozen=True)
class Client:
    client_id: str
    client_secret: str
    redirect_uri: str


class _Lent(httpx.AsyncBaseTransport):
    """Lends the shared transport to a short-lived client without letting it close it."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self._inner = inner

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        return await self._inner.handle_async_request(request)

    async def aclose(self) -> None:
        pass


class OidcClient:
    def __init__(self, transport: httpx.AsyncBaseTransport | None = None, *,
                 timeout: float = 10.0, discovery_ttl: float = 3600.0,
                 jwks_refetch_after: float = 60.0) -> None:
        self._transport = transport or httpx.AsyncHTTPTransport(retries=1)
        self._timeout = timeout
        self._http = httpx.AsyncClient(transport=_Lent(self._transport), timeout=timeout)
        self._discovery_ttl = discovery_ttl
        self._jwks_refetch_after = jwks_refetch_after
        self._providers: dict[str, tuple[float, Provider]] = {}
        self._keys: dict[str, tuple[float, KeySet]] = {}

    async def aclose(self) -> None:
        await self._http.aclose()
        await self._transport.aclose()

    async def _get_json(self, url: str, what: str) -> dict[str, Any]:
        try:
            response = await self._http.get(url, headers={"Accept": "application/json"})
            response.raise_for_status()
            body = response.json()
        except (httpx.HTTPError, ValueError) as error:
            raise ProviderUnavailable(f"the identity provider's {what} could not be fetched",
                                      f"{what}-unavailable") from error
        if not isinstance(body, dict):
            raise ProviderUnavailable(f"the identity provider's {what} is not a JSON object",
                                      f"{what}-invalid")
        return body

    async def discover(self, issuer: str) -> Provider:
        cached = self._providers.get(issuer)
        if cached is not None and time.monotonic() - cached[0] < self._discovery_ttl:
            return cached[1]
        doc = await self._get_json(issuer.rstrip("/") + "/.well-known/openid-configuration",
                                   "discovery")
        provider = Provider.from_discovery(issuer, doc)
        self._providers[issuer] = (time.monotonic(), provider)
        return provider

    async def _key_set(self, provider: Provider, *, fresh: bool = False) -> KeySet:
        cached = self._keys.get(provider.jwks_uri)
        if cached is not None and not (fresh and self._may_refetch(cached[0])):
            return cached[1]
        body = await self._get_json(provider.jwks_uri, "jwks")
        try:
            keys = KeySet.import_key_set(body)  # type: ignore[arg-type]
        except (JoseError, ValueError, KeyError, TypeError) as error:
            raise ProviderUnavailable("the identity provider's signing keys are unreadable",
                                      "jwks-invalid") from error
        self._keys[provider.jwks_uri] = (time.monotonic(), keys)
        return keys

    def _may_refetch(self, fetched_at: float) -> bool:
        return time.monotonic() - fetched_at >= self._jwks_refetch_after

    def _oauth(self, provider: Provider, client: Client) -> AsyncOAuth2Client:
        return AsyncOAuth2Client(
            client.client_id, client.client_secret, scope=SCOPE,
            token_endpoint_auth_method=provider.auth_method, redirect_uri=client.redirect_uri,
            code_challenge_method="S256", transport=_Lent(self._transport),
            timeout=self._timeout)

    async def authorization_url(self, provider: Provider, client: Client, *, state: str,
                                nonce: str, code_verifier: str) -> str:
        async with self._oauth(provider, client) as oauth:
            url, _ = oauth.create_authorization_url(
                provider.authorization_endpoint, state=state, code_verifier=code_verifier,
                nonce=nonce)
        return str(url)

    async def exchange(self, provider: Provider, client: Client, *, code: str,
                       code_verifier: str) -> dict[str, Any]:
        """The token response for an authorization code (with the PKCE verifier)."""
        async with self._oauth(provider, client) as oauth:
            try:
                token = await oauth.fetch_token(provider.token_endpoint, code=code,
                                                grant_type="authorization_code",
                                                code_verifier=code_verifier)
            except OAuthError as error:
                raise OidcError(f"the identity provider refused the sign-in ({error.error})",
                                f"token-{error.error}") from error
            except (httpx.HTTPError, ValueError) as error:
                raise ProviderUnavailable("the identity provider's token endpoint did not"
                                          " answer properly", "token-unavailable") from error
        return dict(token)

    async def id_token_claims(self, provider: Provider, client: Client, id_token: str, *,
                              nonce: str, now: datetime, leeway: int = 60) -> dict[str, Any]:
        """The ID token's claims once its signature, issuer, audience, times and nonce hold."""
        claims = await self._verified(provider, id_token)
        registry = jwt.JWTClaimsRegistry(
            now=int(now.timestamp()), leeway=leeway,
            iss={"essential": True, "value": provider.issuer},
            aud={"essential": True, "value": client.client_id},
            sub={"essential": True}, exp={"essential": True}, iat={"essential": True},
            nonce={"essential": True, "value": nonce})
        try:
            registry.validate(claims)
        except ExpiredTokenError as error:
            raise OidcError("the identity provider's ID token has expired", "id-token-expired"
                            ) from error
        except JoseError as error:
            claim = getattr(error, "claim", None) or error.error
            raise OidcError(f"the identity provider's ID token is not for this sign-in"
                            f" ({claim})", f"id-token-{claim}") from error
        audiences = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
        if len(audiences) > 1 and claims.get("azp") != client.client_id:
            raise OidcError("the identity provider's ID token is not for this sign-in (azp)",
                            "id-token-azp")
        return claims

    async def _verified(self, provider: Provider, id_token: str) -> dict[str, Any]:
        for fresh in (False, True):  # a key the cache does not know yet: the provider rotated
            keys = await self._key_set(provider, fresh=fresh)
            try:
                return dict(jwt.decode(id_token, keys, algorithms=list(provider.algorithms))
                            .claims)
            except (JoseError, ValueError) as error:
                if fresh or not isinstance(error, InvalidKeyIdError | MissingKeyError):
                    raise OidcError("the identity provider's ID token signature is not valid",
                                    "id-token-signature") from error
        raise AssertionError("unreachable")
