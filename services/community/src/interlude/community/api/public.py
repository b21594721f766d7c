"""What community's routes answer (the ``*Public`` family), so that ``/openapi.json`` describes
every answer. Members appear only as labels (:class:`MemberLabel`): a handle and the name this
reader may see, never a peer's user id. Content a person erased reads as null."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, Field

from interlude.shared.kit import WrittenPublic

# a time read out of a JSON column, answered as PostgreSQL wrote it
JsonTime = Annotated[str, Field(json_schema_extra={"format": "date-time"})]


class _Fresh(BaseModel):
    fresh: bool = Field(description="false when ?after= was not reached in time: the answer "
                        "may not show that write yet")


class MemberLabel(BaseModel):
    handle: str | None = Field(description="null for a former member")
    name: str = Field(description="the pseudonym in a pseudonymous space, else the name")
    role: str
    you: bool
    revealed_name: str | None = Field(default=None, description="only for the space's coach, "
                                      "once they revealed who is behind a pseudonym")
    stepped_out_name: str | None = Field(
        default=None, description="the member's name, when they stepped out of their "
        "pseudonym to this reader or to the whole space (shown in this space only)")
    shown_to: list[str] | None = Field(
        default=None, description="your own label only: to whom you stepped out of your "
        "pseudonym (\"everyone\", or peers' handles)")


class MemberPublic(MemberLabel):
    status: str


class SpaceSummaryPublic(BaseModel):
    space_id: str
    name: str
    description: str
    kind: str
    pseudonymous: bool
    slow_mode_s: int
    status: str = Field(description="the caller's: invited or joined")
    role: str = Field(description="the caller's")
    members: int


class SpacesPublic(_Fresh):
    spaces: list[SpaceSummaryPublic]


class SpacePublic(_Fresh):
    space_id: str
    name: str
    description: str
    kind: str
    pseudonymous: bool
    slow_mode_s: int
    you: MemberLabel
    members: list[MemberPublic]
    elsewhere: bool = Field(default=False, description="a circle of another organisation you "
                            "are a guest in: known there only by your pseudonym")


class CirclePublic(BaseModel):
    """A findable peer circle as a coach looking for one sees it: what it is about, never
    who is in it."""

    space_id: str
    name: str
    description: str
    methodology: str
    challenges: list[str]
    context: str
    pseudonymous: bool
    members: int
    you: str | None = Field(description="asked, invited or joined; null: not in it")
    elsewhere: bool = Field(default=False, description="a circle of another organisation "
                            "(both allow circles across organisations): you appear there "
                            "only by pseudonym, and see its people only so")


class CirclesPublic(_Fresh):
    circles: list[CirclePublic]


class JoinRequestPublic(BaseModel):
    handle: str
    name: str = Field(description='the coach\'s name where the circle shows names, else "a '
                      'coach of your organisation"')
    note: str | None
    asked_at: datetime


class JoinRequestsPublic(_Fresh):
    requests: list[JoinRequestPublic] = Field(description="oldest first")


class QuietMemberPublic(BaseModel):
    member: MemberLabel
    last_read_at: datetime = Field(description="when they last marked the feed read")
    last_active_at: datetime | None = Field(description="their last post, comment or "
                                            "reaction here (none: never)")
    invited_at: datetime | None = Field(description="your last gentle invitation")


class QuietMembersPublic(_Fresh):
    quiet: list[QuietMemberPublic] = Field(description="read in the last two weeks without "
                                           "posting, commenting or reacting")


class SuggestionPublic(BaseModel):
    pseudonym: str | None = Field(description="null in a space that shows names")


class RevealedPublic(WrittenPublic):
    user_id: str = Field(description="who is behind the pseudonym")


class PinnedPublic(BaseModel):
    at: datetime
    by: MemberLabel
    note: str | None


class HiddenPublic(BaseModel):
    by: str | None


class PostPublic(BaseModel):
    post_id: str
    kind: str
    author: MemberLabel
    body: str | None
    published_at: datetime
    edited_at: datetime | None
    comments: int
    shares: int
    reactions: dict[str, int]
    my_reactions: list[str]
    tagged: list[MemberLabel]
    shared_by: list[MemberLabel]
    rehearsed: bool
    pinned: PinnedPublic | None
    hidden: HiddenPublic | None = Field(default=None, description="present only when hidden "
                                        "(its author and the coach still see it)")


class FeedPublic(_Fresh):
    space_id: str
    pinned: list[PostPublic]
    items: list[PostPublic]
    unread: int
    unread_capped: bool = Field(description="there are at least this many unread")
    next_cursor: str | None = Field(description="pass as ?cursor= for the next page")


class ReplyPublic(BaseModel):
    comment_id: str
    author: MemberLabel
    body: str | None
    at: datetime


class CommentPublic(ReplyPublic):
    replies: list[ReplyPublic]


class PostThreadPublic(PostPublic, _Fresh):
    comment_thread: list[CommentPublic]


class ReportFiledPublic(BaseModel):
    reporter: MemberLabel
    at: JsonTime
    reason: str | None


class ReportedPostPublic(BaseModel):
    post_id: str
    author: MemberLabel
    body: str | None
    hidden: bool
    hidden_by: str | None
    open_reports: int
    reports: list[ReportFiledPublic]


class ModerationPublic(_Fresh):
    posts: list[ReportedPostPublic]


class FeedbackPublic(BaseModel):
    at: JsonTime
    by: MemberLabel
    body: str | None


class RehearsalPublic(BaseModel):
    rehearsal_id: str
    kind: str
    author: MemberLabel
    status: str
    post_id: str | None
    updated_at: datetime
    body: str | None
    feedback: list[FeedbackPublic]


class RehearsalReadPublic(RehearsalPublic, _Fresh):
    pass


class RehearsalsPublic(_Fresh):
    rehearsals: list[RehearsalPublic]


class MaterialProgressPublic(BaseModel):
    member: MemberLabel
    opened_at: datetime | None
    done_at: datetime | None


class CohortMaterialPublic(BaseModel):
    material_id: str
    kind: str
    title: str | None = Field(description="null once the coach's content was erased")
    url: str | None = Field(description="shown as a link, never fetched by Interlude")
    note: str | None = Field(description="the coach's word on why now")
    shared_at: datetime
    shared_by: MemberLabel
    opened_at: datetime | None = Field(description="when you opened it (members)")
    done_at: datetime | None = Field(description="when you marked it done (members)")
    progress: list[MaterialProgressPublic] | None = Field(
        description="for the space's coach only: every member, when they opened it and did it")


class CohortMaterialsPublic(_Fresh):
    materials: list[CohortMaterialPublic] = Field(description="newest first")
