"""What notify's reads answer (``*Public``): a notification as its recipient sees it."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field


class _Fresh(BaseModel):
    fresh: bool = Field(default=True, description="false when ?after= was not reached in time")


class ActorPublic(BaseModel):
    name: str = Field(description="a pseudonym where the notification came from a "
                                  "pseudonymous space, else the person's name")
    pseudonym: bool


class SpacePublic(BaseModel):
    space_id: str
    name: str | None


class NotificationPublic(BaseModel):
    id: str
    seq: int = Field(description="orders the inbox; the live stream's event id")
    kind: str
    text: str = Field(description="what happened, without the content")
    at: datetime = Field(description="when it happened")
    read: bool
    actor: ActorPublic | None
    link: str = Field(description="where it is in the web front end")
    contract_id: str | None
    item_id: str | None
    space: SpacePublic | None
    topic: str | None
    excerpt: str | None = Field(description="the content it is about, for the recipient only")


class NotificationsPublic(_Fresh):
    notifications: list[NotificationPublic]
    next: int | None = Field(description="pass as ?before= for the next page; null at the end")
    unread: int


class UnreadPublic(_Fresh):
    unread: int


class ReadAllPublic(BaseModel):
    read: int = Field(description="how many were marked read (at most 1000 a request)")
    position: int = Field(description="pass as ?after= to read this write back")
