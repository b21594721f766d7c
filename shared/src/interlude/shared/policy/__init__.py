"""The organisation's security policy: its keys and defaults. The copy every service keeps and
enforces is :mod:`interlude.shared.trust`."""

from interlude.shared.policy.model import (
    DEFAULT_POLICY,
    POLICY_KEYS,
    ROLES,
    PolicyInvalid,
    SecurityPolicy,
)

__all__ = ["DEFAULT_POLICY", "POLICY_KEYS", "ROLES", "PolicyInvalid", "SecurityPolicy"]
