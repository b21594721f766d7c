from .trail import app_pool, audit_db, intake  # noqa: F401 - fixtures of every audit integration test
