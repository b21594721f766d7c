from .trail import (  # noqa: F401 - fixtures of every audit integration test
    app_pool,
    audit_db,
    audit_stream,
    intake,
    publish,
    published,
)
