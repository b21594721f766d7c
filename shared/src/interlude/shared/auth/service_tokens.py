"""Service-to-service calls: each service gets access tokens from identity with the OAuth 2
client-credentials grant, its client secret derived from the platform's master secret.

No secret has to be distributed per service: identity and the service both hold the master
secret and derive the same credential with :func:`service_secret`.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import time

import httpx

_CONTEXT = b"interlude service credential:"
REFRESH_MARGIN = 30.0  # seconds before expiry when a cached token is replaced


def service_secret(master_secret: bytes, service: str) -> str:
    """The client secret of ``service``: HMAC-SHA256 of the master secret over
    ``"interlude service credential:" + service``, base64url without padding."""
    digest = hmac.new(master_secret, _CONTEXT + service.encode("utf-8"), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


class CredentialUnavailable(Exception):
    """identity did not hand out a service token (down, or the credential was refused)."""


class ServiceCredential:
    """A service's access token for calling the others, fetched from identity's
    ``token_url`` (``/v1/service-tokens``) and cached until 30 s before it expires."""

    def __init__(self, token_url: str, client_id: str, client_secret: str, *,
                 client: httpx.AsyncClient | None = None, timeout: float = 5.0) -> None:
        self.token_url = token_url
        self.client_id = client_id
        self._secret = client_secret
        self._client = client or httpx.AsyncClient(timeout=timeout)
        self._owns_client = client is None
        self._token: str | None = None
        self._refresh_at = 0.0  # monotonic time after which the cached token is replaced
        self._lock = asyncio.Lock()

    def __repr__(self) -> str:  # never the secret
        return f"ServiceCredential({self.token_url!r}, {self.client_id!r})"

    async def token(self) -> str:
        """A valid access token, fetched again when the cached one is close to expiry;
        :class:`CredentialUnavailable` when identity does not give one."""
        if self._token is not None and time.monotonic() < self._refresh_at:
            return self._token
        async with self._lock:
            if self._token is not None and time.monotonic() < self._refresh_at:
                return self._token  # another caller refreshed it while we waited
            return await self._fetch()

    async def _fetch(self) -> str:
        form = {"grant_type": "client_credentials", "client_id": self.client_id,
                "client_secret": self._secret}
        try:
            response = await self._client.post(self.token_url, data=form)
        except httpx.HTTPError as err:
            raise CredentialUnavailable(f"cannot reach {self.token_url}: {err}") from None
        if response.status_code != 200:
            raise CredentialUnavailable(
                f"{self.token_url} refused the credentials of {self.client_id!r} "
                f"with status {response.status_code}")
        try:
            body = response.json()
            token, expires_in = str(body["access_token"]), float(body["expires_in"])
        except (ValueError, KeyError, TypeError):
            raise CredentialUnavailable(f"{self.token_url} gave no access token") from None
        # a token shorter-lived than the margin is still used for half its life
        life = expires_in - REFRESH_MARGIN if expires_in > REFRESH_MARGIN else expires_in / 2
        self._refresh_at = time.monotonic() + life
        self._token = token
        return token

    async def headers(self) -> dict[str, str]:
        """The ``Authorization`` header for a call to another service."""
        return {"Authorization": f"Bearer {await self.token()}"}

    def invalidate(self) -> None:
        """Forget the cached token (after a 401 from the service called)."""
        self._token = None

    async def aclose(self) -> None:
        if self._owns_client:
            await self._client.aclose()
