"""A branch's logo: uploaded and removed by those who configure the branch, read by anyone
(an ``<img>`` on a kiosk or display sends no bearer token, and tokens never go in URLs)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Header, Query, Request, Response
from fastapi import Path as PathParam
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

from server.auth.principal import Principal
from server.branches import logo
from server.branches.lookup import branch_for
from server.branches.schemas import LogoPublic
from server.deps import ConfigureWork, PublicWork
from server.edge import BodyAllowance

router = APIRouter(tags=["branches"])

ADMIN_PATH = "/api/v1/admin/branches/{branch}/logo"
PUBLIC_PATH = "/api/v1/branches/{branch}/logo"
BranchCode = PathParam(min_length=1, max_length=32)

#: The upload's own body limit (server/main.py gives it to the edge): larger than the JSON
#: routes' default may be, and only for this route.
UPLOAD_ALLOWANCE = BodyAllowance(
    method="PUT", path=ADMIN_PATH, max_bytes=logo.MAX_BYTES, detail=logo.TOO_LARGE
)
_RAW_IMAGE: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "description": "the image file itself (no form): PNG, JPEG, GIF or WebP, at most 1 MB",
        "content": {
            t: {"schema": {"type": "string", "format": "binary"}} for t in logo.MEDIA_TYPES
        },
    }
}
# A versioned address names one image for good; an address without a version (or an old
# one) is checked again each time.
IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"


@router.put(ADMIN_PATH, tags=["admin"], openapi_extra=_RAW_IMAGE)
async def put_logo(request: Request, work: ConfigureWork, branch: str = BranchCode) -> LogoPublic:
    """Set the branch's logo: the image as the request body, with its Content-Type. Checked
    (size, kind, dimensions: at least 64 px wide, at most 4000 px a side, no taller than
    wide) and stored re-encoded as PNG, at most 1024 px wide; a refusal changes nothing."""
    # The caller first, read-only: the body is read and decoded only for someone who may
    # set this branch's logo, and decoding runs outside the write slot.
    await work.check(lambda session, principal, _now: branch_for(session, principal, branch))
    data = await request.body()
    checked = await run_in_threadpool(
        logo.check_logo_alone, data, content_type=request.headers.get("content-type")
    )

    def run(session: Session, principal: Principal, now: dt.datetime) -> LogoPublic:
        b = branch_for(session, principal, branch)
        return logo.store_logo(session, b, checked, principal=principal, now=now)

    return await work(run)


@router.delete(ADMIN_PATH, tags=["admin"], status_code=204)
async def delete_logo(work: ConfigureWork, branch: str = BranchCode) -> Response:
    """Remove the branch's logo (screens and tickets go back to none)."""

    def run(session: Session, principal: Principal, now: dt.datetime) -> None:
        logo.remove_logo(
            session, branch_for(session, principal, branch), principal=principal, now=now
        )

    await work(run)
    return Response(status_code=204)


@router.get(
    PUBLIC_PATH,
    response_class=Response,
    responses={
        200: {"content": {"image/png": {}}, "description": "the logo as a PNG"},
        304: {"description": "the version named in If-None-Match is current"},
    },
)
async def get_logo(
    work: PublicWork,
    branch: str = BranchCode,
    v: str | None = Query(
        default=None, max_length=64, description="the version from logo_url (caching only)"
    ),
    if_none_match: str | None = Header(default=None, max_length=1024),
) -> Response:
    """The branch's logo (no login: screens load it with an ``<img>``); 404 without one."""

    def run(session: Session, _now: dt.datetime) -> logo.ServedLogo:
        return logo.served_logo(session, branch, if_none_match=if_none_match)

    served = await work.public(run)
    current = v is not None and len(v) >= 8 and served.sha256.startswith(v)
    headers = {
        "ETag": logo.etag(served.sha256),
        "Cache-Control": IMMUTABLE if current else REVALIDATE,
    }
    if served.png is None:
        return Response(status_code=304, headers=headers)
    return Response(served.png, media_type="image/png", headers=headers)
