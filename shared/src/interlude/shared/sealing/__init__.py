"""Sealing: confidential fields encrypted with the key of their data subject (crypto-shredding).

Every person's coaching content and personal data are encrypted inside events with a key of
their own, stored only in wrapped form under their organisation's key. Forgetting a person
destroys that one key, which turns every copy of their content (in every stream, replica and
backup) into unreadable noise without rewriting a single immutable event. Reading such a field
afterwards yields an explicit erased value (``Secret.erased``), never an error and never the
plaintext.
"""

from interlude.shared.sealing.errors import SealError, SubjectErasedError
from interlude.shared.sealing.jetstream_keys import (
    DEFAULT_BUCKET,
    JetStreamKeyStore,
    open_key_store,
)
from interlude.shared.sealing.keyring import KeyRing
from interlude.shared.sealing.keys import SHREDDED, InMemoryKeyStore, KeyStore
from interlude.shared.sealing.master import load_or_create_master_secret, master_secret_from
from interlude.shared.sealing.sealer import Sealer, is_sealed
from interlude.shared.sealing.secret import ERASED_TEXT, Secret

__all__ = [
    "DEFAULT_BUCKET",
    "ERASED_TEXT",
    "SHREDDED",
    "InMemoryKeyStore",
    "JetStreamKeyStore",
    "KeyRing",
    "KeyStore",
    "SealError",
    "Sealer",
    "Secret",
    "SubjectErasedError",
    "is_sealed",
    "load_or_create_master_secret",
    "master_secret_from",
    "open_key_store",
]
