"""Test support: a pytest plugin that starts real servers once per test run.

Load it from a ``conftest.py`` with ``pytest_plugins = ["interlude.shared.testing.plugin"]``.
"""
