"""The bodies the HTTP API accepts: unknown fields are refused (the chat endpoint, which
OpenAI clients fill with their own extras, accepts and ignores them)."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from rag import Filters
from rag.serve import protocol


class FilterBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    since: dt.date | None = None
    until: dt.date | None = None
    outlets: list[str] = Field(default_factory=list)
    languages: list[str] = Field(default_factory=list)

    def filters(self) -> Filters:
        return Filters(self.since, self.until, list(self.outlets), list(self.languages))


class Turn(BaseModel):
    role: Literal["user", "assistant"]
    content: str


class AskBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    question: str
    history: list[Turn] = Field(default_factory=list)
    filters: FilterBody | None = None
    top_k: int | None = None  # the Assistant checks it


class SearchBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    query: str
    filters: FilterBody | None = None
    top_k: int | None = None  # the Assistant checks it


class ChatBody(BaseModel):
    """The OpenAI chat request: what we use, everything else accepted and ignored."""

    model_config = ConfigDict(extra="allow")

    messages: list[dict[str, Any]] = Field(min_length=1)
    model: str = protocol.MODEL
    stream: bool = False
    filters: FilterBody | None = None  # the openai SDK's extra_body


class UrlBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: str


class ConversationBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: str = Field("", max_length=1000)


class MessageBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    question: str
    filters: FilterBody | None = None
    top_k: int | None = None  # the Assistant checks it


class FeedbackBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    rating: Literal["up", "down"] | None  # None takes a rating back
    note: str = Field("", max_length=10_000)


class WatchBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    question: str
    filters: FilterBody | None = None
