"""The errors of sealing. Erasure is never one of them: it is a value (``Secret.erased``)."""

from __future__ import annotations


class SealError(Exception):
    """A sealed value or wrapped key failed to authenticate or parse: corruption or tampering
    (e.g. a ciphertext moved to another event, field or tenant, or a wrong master secret)."""


class SubjectErasedError(SealError):
    """Nothing can be sealed for a forgotten subject (its key is shredded for good)."""
