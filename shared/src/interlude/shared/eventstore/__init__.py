"""The event store: JetStream as the system of record, with an in-memory twin for unit tests."""
