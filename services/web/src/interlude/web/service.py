"""web's entry in the platform: ``make run`` starts it last, prints its address first, and
gives it every other service's address (``INTERLUDE_<SERVICE>_URL``). It has no worker, no
events and no migrations (ADR 0011)."""

from interlude.shared.service import ServiceSpec

SPEC = ServiceSpec(
    name="web",
    api="interlude.web.main:create_app",
    worker=None,
    migrations=None,
    default_port=8100,
    start_order=90,  # after the services it calls
    # the live streams (GET /live) stay open until the browser leaves: a stop waits for them
    # this long, then ends them (the browsers reconnect, with their last event id, when web is
    # back)
    extra_env={"UVICORN_TIMEOUT_GRACEFUL_SHUTDOWN": "3"},
)
