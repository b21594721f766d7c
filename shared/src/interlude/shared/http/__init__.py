"""HTTP plumbing every service API shares: problem responses, limits, health, tracing."""
