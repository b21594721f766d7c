"""Free text as the API accepts it: only what every read side can store and show.

PostgreSQL cannot hold U+0000 in ``text`` nor ``\\u0000`` in ``jsonb``, and asyncpg cannot
encode a lone surrogate (JSON's ``"\\ud800"`` decodes to one). A command carrying either was
accepted, appended, then dead-lettered by every projection that stores the text: the space or
the person never read back. So every free-text field of every request body is one of two
types, refused at the API with a 422 naming the field:

- :class:`SingleLine`: a name, a title, a reason. No control character at all (C0, DEL, C1:
  no tab, no line break, no NUL) and no lone surrogate.
- :class:`MultiLine`: a reflection, a message, a note. Line breaks (``\\n``, ``\\r\\n``) and
  tabs are allowed; every other control character, a ``\\r`` alone and lone surrogates are not.

Both are metadata for ``Annotated[str, ...]``, with the field's limits::

    class SpaceCreate(BaseModel):
        name: Annotated[str, SingleLine(120)]
        description: Annotated[str, MultiLine(2000, min_length=0)] = ""

Their JSON Schema says which kind of text a field is (``x-interlude-text``), so a test can
find every free-text field of an API from its OpenAPI document.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, ClassVar, Literal

from pydantic import GetCoreSchemaHandler, GetJsonSchemaHandler
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema, PydanticCustomError, core_schema

Kind = Literal["single-line", "multi-line"]
SCHEMA_KEY = "x-interlude-text"
ERROR_TYPE = "text_characters"

# C0 controls, DEL and C1 controls (Unicode category Cc), and the surrogate block (Cs): a str
# holds a surrogate only when it is unpaired
_SINGLE = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
# the same but tabs and line feeds; a carriage return only before a line feed
_MULTI = re.compile(r"[\x00-\x08\x0b-\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]|\r(?!\n)")
_NAMES = {"\x00": "NUL", "\t": "a tab", "\n": "a line break", "\x7f": "DEL"}


def _described(char: str, kind: Kind) -> str:
    if char == "\r":
        what = "a carriage return" if kind == "single-line" else "a lone carriage return"
    elif "\ud800" <= char <= "\udfff":
        what = "half of a surrogate pair"
    else:
        what = _NAMES.get(char, "a control character")
    return f"U+{ord(char):04X} ({what})"


def refusal(value: str, kind: Kind) -> str | None:
    """Why ``value`` cannot be text of ``kind`` (a sentence), or None when it can. The value is
    never quoted: it may be the very content that must stay out of logs."""
    found = (_SINGLE if kind == "single-line" else _MULTI).search(value)
    if found is None:
        return None
    allowed = ("one line of text without control characters" if kind == "single-line" else
               "text whose only control characters are line breaks and tabs")
    return (f"must be {allowed}; found {_described(found.group()[0], kind)} at character "
            f"{found.start() + 1}")


@dataclass(frozen=True)
class _Text:
    max_length: int
    min_length: int = 1
    strip: bool = False
    kind: ClassVar[Kind]

    def check(self, value: str) -> str:
        reason = refusal(value, self.kind)
        if reason is not None:
            raise PydanticCustomError(ERROR_TYPE, reason)
        return value

    def __get_pydantic_core_schema__(self, source: Any,
                                     handler: GetCoreSchemaHandler) -> CoreSchema:
        # the characters first, on the string as given: pydantic's own refusal of a lone
        # surrogate under length constraints says only "unable to parse raw data"
        return core_schema.chain_schema([
            core_schema.str_schema(),
            core_schema.no_info_plain_validator_function(self.check),
            core_schema.str_schema(min_length=self.min_length, max_length=self.max_length,
                                   strip_whitespace=self.strip)])

    def __get_pydantic_json_schema__(self, schema: CoreSchema,
                                     handler: GetJsonSchemaHandler) -> JsonSchemaValue:
        found = handler(schema)
        found.update(maxLength=self.max_length, **{SCHEMA_KEY: self.kind})
        if self.min_length:
            found["minLength"] = self.min_length
        return found


@dataclass(frozen=True)
class SingleLine(_Text):
    """One line of free text of ``min_length`` to ``max_length`` characters; ``strip`` removes
    surrounding whitespace first (the length is counted after)."""

    kind: ClassVar[Kind] = "single-line"


@dataclass(frozen=True)
class MultiLine(_Text):
    """Free text of ``min_length`` to ``max_length`` characters, in lines (``\\n`` or
    ``\\r\\n``) and with tabs."""

    kind: ClassVar[Kind] = "multi-line"
