"""Where audit's parts are found; the composition roots build from here."""

from pathlib import Path

MIGRATIONS = Path(__file__).parent / "migrations"
SOURCES = ("identity", "engagement", "community", "notify", "access")
