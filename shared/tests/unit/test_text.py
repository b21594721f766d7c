"""Free text as the API accepts it: what PostgreSQL can store, nothing a reader cannot show."""

from __future__ import annotations

from typing import Annotated

import pytest
from pydantic import BaseModel, ConfigDict, ValidationError

from interlude.shared.text import ERROR_TYPE, SCHEMA_KEY, MultiLine, SingleLine, refusal

NASTY = "Zoë 🙂 ‏مرحبا‎ e\u0301 ﷽ 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 \u200d"


class Space(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: Annotated[str, SingleLine(40, strip=True)]
    description: Annotated[str, MultiLine(60, min_length=0)] = ""
    note: Annotated[str, SingleLine(10)] | None = None


def _error(**fields: object) -> dict[str, object]:
    with pytest.raises(ValidationError) as caught:
        Space.model_validate(fields)
    errors = caught.value.errors()
    assert len(errors) == 1, errors
    return dict(errors[0])


@pytest.mark.parametrize("char", ["\x00", "\x07", "\t", "\n", "\r", "\x1b", "\x7f", "\x85",
                                  "\x9f", "\ud800", "\udfff"])
def test_one_line_refuses_every_control_character_and_half_a_surrogate_pair(char: str) -> None:
    error = _error(name=f"ab{char}cd")
    assert error["loc"] == ("name",)
    assert error["type"] == ERROR_TYPE
    message = str(error["msg"])
    assert f"found U+{ord(char):04X} (" in message and message.endswith(" at character 3")


@pytest.mark.parametrize("char", ["\x00", "\x01", "\x0b", "\x0c", "\x1b", "\x7f", "\x85",
                                  "\ud83d"])
def test_multi_line_refuses_control_characters_but_line_breaks_and_tabs(char: str) -> None:
    error = _error(name="ok", description=f"line\n{char}")
    assert error["loc"] == ("description",)
    assert error["type"] == ERROR_TYPE


def test_multi_line_keeps_line_breaks_tabs_and_windows_line_ends() -> None:
    text = "first\n\tindented\r\nthird\n\n"
    assert Space(name="ok", description=text).description == text


def test_a_carriage_return_alone_is_refused_in_multi_line_text() -> None:
    error = _error(name="ok", description="old\rmac")
    assert "U+000D (a lone carriage return) at character 4" in str(error["msg"])


def test_nasty_but_valid_text_is_kept_as_given() -> None:
    space = Space(name=NASTY, description=f"{NASTY}\n{NASTY}", note="🙂" * 10)
    assert (space.name, space.description, space.note) == (
        NASTY.strip(), f"{NASTY}\n{NASTY}", "🙂" * 10)


def test_limits_are_in_characters_and_counted_after_stripping() -> None:
    assert Space(name="  " + "é" * 40 + "  ").name == "é" * 40
    assert _error(name="é" * 41)["type"] == "string_too_long"
    assert _error(name="   ")["type"] == "string_too_short"
    assert _error(name="ok", note="x" * 11)["loc"] == ("note",)


def test_the_characters_are_checked_before_the_length() -> None:
    assert _error(name="\x00" * 100)["type"] == ERROR_TYPE


def test_the_refusal_never_quotes_the_text() -> None:
    reason = refusal("my secret\x00reflection", "multi-line")
    assert reason is not None and "secret" not in reason and "reflection" not in reason
    assert refusal("fine\ttext\n", "multi-line") is None
    assert refusal("fine\ttext", "single-line") is not None


def test_the_json_schema_says_which_text_a_field_is() -> None:
    properties = Space.model_json_schema()["properties"]
    assert properties["name"][SCHEMA_KEY] == "single-line"
    assert (properties["name"]["minLength"], properties["name"]["maxLength"]) == (1, 40)
    assert properties["description"][SCHEMA_KEY] == "multi-line"
    assert "minLength" not in properties["description"]
    assert properties["note"]["anyOf"][0][SCHEMA_KEY] == "single-line"


def test_not_a_string_is_refused_as_such() -> None:
    assert _error(name=42)["type"] == "string_type"
