"""The customer's phone page API: no login, the ticket token is the secret."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Response
from fastapi import Path as PathParam
from pydantic import BaseModel, Field, StrictInt
from sqlmodel import Session

from server.customers import service
from server.customers.qr import qr_svg, status_url
from server.customers.schemas import FeedbackPublic, TicketStatusPublic
from server.deps import ContextDep, PublicWork
from server.domain.text import FreeText

router = APIRouter(prefix="/api/v1/tickets/by-token", tags=["customer"])

Token = PathParam(min_length=8, max_length=64)


class FeedbackCreate(BaseModel):
    score: StrictInt = Field(ge=1, le=5, description="1 (very unhappy) to 5 (very happy)")
    comment: FreeText | None = Field(default=None, max_length=1000)


@router.get("/{token}")
async def ticket_status(work: PublicWork, token: str = Token) -> TicketStatusPublic:
    def run(session: Session, now: dt.datetime) -> TicketStatusPublic:
        return service.status_view(session, service.by_token(session, token), now=now)

    return await work.public(run)


@router.get(
    "/{token}/qr.svg",
    response_class=Response,
    responses={200: {"content": {"image/svg+xml": {}}}},
)
async def ticket_qr(work: PublicWork, ctx: ContextDep, token: str = Token) -> Response:
    """The ticket's customer-page address as an SVG QR code (the kiosk shows it)."""

    def run(session: Session, _now: dt.datetime) -> str:
        return service.by_token(session, token).token

    found = await work.public(run)
    svg = qr_svg(status_url(ctx.settings.public_url, found))
    return Response(
        svg, media_type="image/svg+xml", headers={"Cache-Control": "private, max-age=86400"}
    )


@router.post("/{token}/feedback", status_code=201)
async def feedback(body: FeedbackCreate, work: PublicWork, token: str = Token) -> FeedbackPublic:
    def run(session: Session, now: dt.datetime) -> FeedbackPublic:
        ticket = service.give_feedback(
            session,
            service.by_token(session, token),
            score=body.score,
            comment=body.comment,
            now=now,
        )
        return FeedbackPublic(code=ticket.code, score=body.score, thanks=True)

    return await work.public(run)
