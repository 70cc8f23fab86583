"""Saved conversations over HTTP: list, create, read, rename, delete, continue, rate.

A conversation's messages come back as /v1/ask answers them, with each citation's
`source_state`; continuing one answers with its turns as history and stores both.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from rag.api import Assistant
from rag.serve.bodies import ConversationBody, FeedbackBody, MessageBody


def conversation_routes(assistant: Assistant) -> APIRouter:
    router = APIRouter(prefix="/v1/conversations")
    saved = assistant.conversations

    @router.get("")
    def listed(q: Annotated[str, Query(max_length=200)] = "") -> dict[str, Any]:
        return {"conversations": [c.as_dict() for c in saved.recent(q)]}

    @router.post("", status_code=201)
    def create(body: ConversationBody | None = None) -> dict[str, Any]:
        return saved.create(body.title if body else "").as_dict(messages=True)

    @router.get("/{conversation_id}")
    def read(conversation_id: str) -> dict[str, Any]:
        return assistant.conversation(conversation_id).as_dict(messages=True)

    @router.patch("/{conversation_id}")
    def rename(conversation_id: str, body: ConversationBody) -> dict[str, Any]:
        return saved.rename(conversation_id, body.title).as_dict()

    @router.delete("/{conversation_id}")
    def delete(conversation_id: str) -> dict[str, Any]:
        saved.delete(conversation_id)
        return {"deleted": conversation_id}

    @router.post("/{conversation_id}/messages")
    def message(conversation_id: str, body: MessageBody) -> dict[str, Any]:
        filters = body.filters.filters() if body.filters else None
        answer, stored = assistant.converse(
            conversation_id, body.question, top_k=body.top_k, filters=filters
        )
        return {**answer.as_dict(), "conversation": conversation_id, "message": stored.id}

    @router.post("/{conversation_id}/messages/{message_id}/feedback")
    def feedback(conversation_id: str, message_id: int, body: FeedbackBody) -> dict[str, Any]:
        return saved.rate(conversation_id, message_id, body.rating, body.note).as_dict()

    return router
