"""audit: the tamper-evident, content-free audit trail that compliance officers query and verify."""
