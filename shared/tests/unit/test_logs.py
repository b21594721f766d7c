"""What reaches a log line."""

from __future__ import annotations

import logging

from interlude.shared.logs import configure_logging


def test_the_access_log_leaves_out_query_strings_where_addresses_travel() -> None:
    configure_logging("test", as_json=False)
    access = logging.getLogger("uvicorn.access")
    record = access.makeRecord(
        "uvicorn.access", logging.INFO, __file__, 1, '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:5000", "GET", '/scim/v2/Users?filter=userName eq "ada@example.org"', "1.1",
         200), None)
    assert access.filter(record)
    assert record.getMessage() == '127.0.0.1:5000 - "GET /scim/v2/Users HTTP/1.1" 200'
