"""NATS being away, told apart from everything else that can go wrong.

A request that needs NATS while it is gone must fail fast with :class:`StoreUnavailable`
(the API answers 503 with ``Retry-After``), never wait for a client to give up: check the
connection before sending, bound every wait, and treat these errors as "try again later".
"""

from __future__ import annotations

import nats.errors
import nats.js.errors
from nats.aio.client import Client as NATS

from interlude.shared.eventstore.acks import fail_waiting_acks
from interlude.shared.eventstore.base import StoreUnavailable

# the connection is down or going: nothing sent now would be answered
CONNECTION_LOST: tuple[type[Exception], ...] = (
    nats.errors.ConnectionClosedError, nats.errors.ConnectionReconnectingError,
    nats.errors.ConnectionDrainingError, nats.errors.OutboundBufferLimitError,
    nats.errors.UnexpectedEOF, nats.errors.StaleConnectionError, nats.errors.NoServersError)

# NATS (or JetStream behind it) did not answer: worth retrying, with the same message id
NATS_UNAVAILABLE: tuple[type[Exception], ...] = (
    *CONNECTION_LOST, nats.errors.TimeoutError, nats.errors.NoRespondersError,
    nats.js.errors.NoStreamResponseError, nats.js.errors.ServiceUnavailableError)

UNAVAILABLE_DETAIL = ("the event store (NATS) is not reachable right now; nothing was changed "
                      "unless you sent an Idempotency-Key, in which case sending the same "
                      "request again is safe. Try again in a few seconds")


def server_urls(nats_url: str) -> list[str]:
    """The servers in ``nats_url``: one URL, or several separated by commas (the nodes of a
    cluster, so that a client which cannot reach one connects to, or fails over to, another;
    once connected it also learns the cluster's other nodes from the server)."""
    urls = [url.strip() for url in nats_url.split(",") if url.strip()]
    if not urls:
        raise ValueError("no NATS server URL given")
    return urls


def require_connection(nc: NATS, what: str) -> None:
    """Raise :class:`StoreUnavailable` at once when ``nc`` is not connected: nats-py would
    otherwise buffer the request and leave us waiting for a reply that cannot come."""
    if not nc.is_connected:
        raise StoreUnavailable(f"{what}: not connected to NATS")


def fail_waiting_requests(nc: NATS) -> None:
    """Fail every request still waiting for its reply on ``nc`` (call it when the connection
    drops), the event store's appends among them. nats-py keeps those futures across a
    reconnect and lets each one wait out its whole timeout, although the reply went with the
    old connection."""
    waiting = getattr(nc, "_resp_map", {})  # nats-py's own table of pending requests
    for future in list(waiting.values()):
        if not future.done():
            future.set_exception(nats.errors.ConnectionReconnectingError())
    fail_waiting_acks(nc)  # and the event store's appends
