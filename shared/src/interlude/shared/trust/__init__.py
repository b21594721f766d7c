"""The trust cache: every service's own copy of each organisation's security policy and of
whose tokens are refused, projected from identity's events, enforced in memory, fail closed."""

from interlude.shared.trust.cache import (
    BOOLEAN_KEYS,
    NO_POLICY,
    KnownPolicy,
    PolicyBlocked,
    TrustCache,
    UserTrust,
)
from interlude.shared.trust.http import blocked_problem, install_trust_handlers
from interlude.shared.trust.leader import SingleRunner
from interlude.shared.trust.projection import (
    POLICY_CHANGED,
    ROLE_REVOKED,
    SUBJECT_FORGOTTEN,
    USER_DEACTIVATED,
    USER_REACTIVATED,
    TrustProjection,
    ensure_tables,
)
from interlude.shared.trust.runtime import Trust, start_trust

__all__ = [
    "BOOLEAN_KEYS",
    "NO_POLICY",
    "POLICY_CHANGED",
    "ROLE_REVOKED",
    "SUBJECT_FORGOTTEN",
    "USER_DEACTIVATED",
    "USER_REACTIVATED",
    "KnownPolicy",
    "PolicyBlocked",
    "SingleRunner",
    "Trust",
    "TrustCache",
    "TrustProjection",
    "UserTrust",
    "blocked_problem",
    "ensure_tables",
    "install_trust_handlers",
    "start_trust",
]
