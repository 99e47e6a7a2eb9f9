"""The customer's phone page API: no login, the ticket token is the secret."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi import Path as PathParam
from pydantic import BaseModel, Field, StrictInt

from server.customers import service
from server.deps import NowDep, SessionDep

router = APIRouter(prefix="/api/v1/tickets/by-token", tags=["customer"])

Token = PathParam(min_length=8, max_length=64)


class FeedbackCreate(BaseModel):
    score: StrictInt = Field(ge=1, le=5, description="1 (very unhappy) to 5 (very happy)")
    comment: str | None = Field(default=None, max_length=1000)


@router.get("/{token}")
def ticket_status(session: SessionDep, token: str = Token) -> dict[str, Any]:
    return service.status_view(session, service.by_token(session, token))


@router.post("/{token}/feedback", status_code=201)
def feedback(body: FeedbackCreate, session: SessionDep, now: NowDep, token: str = Token) -> dict[str, Any]:
    ticket = service.give_feedback(
        session, service.by_token(session, token), score=body.score, comment=body.comment, now=now
    )
    return {"code": ticket.code, "score": ticket.feedback_score, "thanks": True}
