"""A confidential string that cannot leak by accident: no repr, no str, no JSON of its value."""

from __future__ import annotations

from typing import Any, Final

from pydantic import GetCoreSchemaHandler, GetJsonSchemaHandler
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import core_schema

ERASED_TEXT: Final = "[erased]"
"""What an erased secret reveals: its subject was forgotten, so the content is gone for good."""

MASK: Final = "***"
"""What a secret shows in logs and JSON dumps instead of its value."""


class Secret:
    """An immutable confidential string and the id of its data subject (whose key seals it).

    ``repr``/``str`` and JSON dumps never show the value; only :meth:`reveal` does, so reading
    the plaintext is always a visible, greppable act. A secret whose subject was forgotten is
    *erased*: it reveals :data:`ERASED_TEXT` rather than raising, so read paths need no special
    case for forgotten people.
    """

    __slots__ = ("_subject", "_value")
    _subject: str
    _value: str | None  # None = erased

    def __init__(self, value: str, subject: str) -> None:
        if not isinstance(value, str) or not isinstance(subject, str):
            raise TypeError("Secret(value, subject) takes two strings")
        if not subject:
            raise ValueError("a Secret needs the id of its data subject")
        object.__setattr__(self, "_value", value)
        object.__setattr__(self, "_subject", subject)

    @classmethod
    def erased(cls, subject: str) -> Secret:
        """The secret of a forgotten subject: its content can no longer be read."""
        secret = cls("", subject)
        object.__setattr__(secret, "_value", None)
        return secret

    @property
    def subject(self) -> str:
        """The id of the data subject whose key seals this value."""
        return self._subject

    @property
    def is_erased(self) -> bool:
        """True when the subject's key was shredded and the value is gone."""
        return self._value is None

    def reveal(self) -> str:
        """The plaintext, or :data:`ERASED_TEXT` for an erased secret."""
        return ERASED_TEXT if self._value is None else self._value

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("Secret is immutable")

    def __delattr__(self, name: str) -> None:
        raise AttributeError("Secret is immutable")

    def __repr__(self) -> str:
        state = "erased" if self.is_erased else MASK
        return f"Secret(subject={self._subject!r}, {state})"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Secret):
            return NotImplemented
        return (self._value, self._subject) == (other._value, other._subject)

    def __hash__(self) -> int:
        return hash((Secret, self._value, self._subject))

    def __reduce__(self) -> Any:
        # pickling through __init__ would lose the erased state; rebuild it explicitly
        if self._value is None:
            return (Secret.erased, (self._subject,))
        return (Secret, (self._value, self._subject))

    @classmethod
    def __get_pydantic_core_schema__(
        cls, source: type[Any], handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        # Only Secret instances validate: a plain string has no subject, and accepting one would
        # let unsealed content slip into an event. In python mode the object passes through
        # unchanged (the event codec swaps it for the sealed form); any JSON dump shows MASK,
        # so a stray model_dump_json() in a log line cannot leak plaintext.
        return core_schema.is_instance_schema(
            cls,
            serialization=core_schema.plain_serializer_function_ser_schema(
                lambda _secret: MASK, when_used="json"
            ),
        )

    @classmethod
    def __get_pydantic_json_schema__(
        cls, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        return {"type": "string", "description": "confidential; shown as '***'"}
