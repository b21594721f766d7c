"""identity: organisations, people, login, tokens, SCIM provisioning and the security policy."""
