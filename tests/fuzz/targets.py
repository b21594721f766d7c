"""What the schemathesis run calls: a started service's app, whose token it sends, and the
routes it must leave alone (with the reason)."""

from __future__ import annotations

from dataclasses import dataclass, field

from fastapi import FastAPI


@dataclass
class Target:
    app: FastAPI
    token: str  # a real access token of a person who can reach most of the service's routes
    probe: str  # a GET the token must still be let through after the run (else it was hollow)
    path: dict[str, str] = field(default_factory=dict)  # path parameters fixed to own ids
    # another token for the operations whose path matches a regex (SCIM takes no person's)
    tokens_by_path: dict[str, str] = field(default_factory=dict)
    # tokens of another organisation's person with the same roles (and, by path as above, its
    # SCIM token): every route naming `path`'s ids must answer them 404 (test_probes.py)
    stranger: str = ""
    stranger_tokens_by_path: dict[str, str] = field(default_factory=dict)
    # (path regex, media type): routes whose errors a standard other than RFC 9457 shapes
    error_media_types: tuple[tuple[str, str], ...] = ()


# (operation as "METHOD /path", why it is not fuzzed): routes whose side effects would end the run's
# own ability to call the API, not routes that may fail
EXCLUDED: dict[str, tuple[tuple[str, str], ...]] = {
    "identity": (
        ("POST /v1/sessions", "its throttle locks every sign-in from 127.0.0.1 after a few "
         "wrong passwords, the rest of the test run's included"),
        ("POST /v1/organisations/{org_id}/erasures", "erases people of the organisation, "
         "the token's own admin among the candidates"),
    ),
    "notify": (
        ("GET /v1/notify/stream", "a live stream never ends by design: the run would wait on "
         "it for ever (tests/journeys/notify walk it, its bad input included)"),
    ),
}

# (operation, status, why): a 5xx the route declares as its honest answer, which the fuzzer
# reaches by its own doing; not_a_server_error accepts it there, and nowhere else
UPSTREAM_ANSWERS: dict[str, tuple[tuple[str, int, str], ...]] = {
    "identity": (
        ("GET /v1/organisations/{org_id}/sso/login", 502, "the run sets single sign-on to "
         "an issuer of its invention; the login then cannot fetch the provider's discovery"),
    ),
}
