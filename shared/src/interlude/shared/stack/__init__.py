"""The embedded stack: nats-server and PostgreSQL as child processes, no Docker needed.

Used by ``make run`` (see :mod:`interlude.shared.stack.cli`) and by the pytest plugin in
:mod:`interlude.shared.testing`, so that the product and its tests run on the same servers.
"""
