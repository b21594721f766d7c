"""Request and response bodies of community's API."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from interlude.community.domain.events import PostKind, SpaceKind
from interlude.community.domain.post import MAX_BODY

ID_PATTERN = r"^[A-Za-z0-9_-]{1,64}$"


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Written(BaseModel):
    id: str
    position: int = Field(description="pass as ?after= to read this write back")

    @classmethod
    def of(cls, written: tuple[str, int]) -> Written:
        """The answer to a command, from what the application layer wrote."""
        return cls(id=written[0], position=written[1])


class SpaceCreate(_Body):
    kind: SpaceKind = "cohort"
    name: str = Field(min_length=1, max_length=120,
                      description='the shared challenge, e.g. "Saying no without burning bridges"')
    description: str = Field(default="", max_length=2000)
    pseudonymous: bool = Field(default=True, description="members appear to peers only by "
                               "pseudonym (within what community.pseudonyms allows)")


class Invitation(_Body):
    user_id: str = Field(pattern=ID_PATTERN)


class Join(_Body):
    pseudonym: str | None = Field(default=None, max_length=64,
                                  description="leave out to take the suggested one")


class SlowModeBody(_Body):
    seconds: int = Field(ge=0, le=86_400, description="between one member's posts; 0 is off")


class Reveal(_Body):
    reason: str = Field(min_length=1, max_length=1000,
                        description="why; the member is told it")


class PostCreate(_Body):
    kind: PostKind = "reflection"
    body: str = Field(min_length=1, max_length=MAX_BODY)


class PostEdit(_Body):
    body: str = Field(min_length=1, max_length=MAX_BODY)


class CommentCreate(_Body):
    body: str = Field(min_length=1, max_length=MAX_BODY)
    parent_id: str | None = Field(default=None, pattern=ID_PATTERN,
                                  description="the comment this one replies to")


class Tag(_Body):
    handle: str | None = Field(default=None, pattern=ID_PATTERN)
    pseudonym: str | None = Field(default=None, max_length=64)


class Pin(_Body):
    note: str | None = Field(default=None, max_length=1000,
                             description="why this is a key insight")


class Report(_Body):
    reason: str = Field(min_length=1, max_length=1000)
