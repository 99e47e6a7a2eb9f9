"""Device pairing routes: a device asks for a code and waits; staff claim the code."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field
from sqlmodel import Session

from server.admin import service as admin
from server.admin.schemas import DevicePublic
from server.auth.principal import Principal
from server.branches.lookup import get_branch
from server.deps import ConfigureWork, PublicWork
from server.devices import pairing
from server.devices.config import DeviceConfig
from server.domain.text import Name
from server.openapi import error_answer

router = APIRouter(prefix="/api/v1", tags=["pairing"])

DeviceKind = Literal["kiosk", "display", "speaker", "agent"]


class PairingStart(BaseModel):
    kind: DeviceKind | None = Field(default=None, description="what the device is, if it knows")


class PairingStarted(BaseModel):
    """A pairing code for the device to show, and the secret it keeps to ask for its token."""

    code: str = Field(description="show this; staff type it in Settings", examples=["K7QM-4XPA"])
    secret: str = Field(description="keep this: POST it to /pairing/status to get the token")
    expires_at: dt.datetime
    expires_in: int = Field(description="seconds the code stays valid")
    poll_s: int = Field(description="ask /pairing/status this often")
    pair_url: str = Field(description="the Settings page with the code filled in (for a QR)")
    qr_svg: str = Field(description="pair_url as an SVG QR code")


class PairingSecret(BaseModel):
    secret: str = Field(min_length=16, max_length=128)


class PairedDevice(BaseModel):
    id: int
    kind: str
    name: str
    branch: str | None


class PairingStatus(BaseModel):
    """``waiting`` for staff to enter the code, or ``paired`` with the device's token (handed
    over once)."""

    state: Literal["waiting", "paired"]
    expires_at: dt.datetime | None = None
    token: str | None = Field(default=None, description="the device's bearer token: keep it")
    device: PairedDevice | None = None


class PairingClaim(BaseModel):
    code: str = Field(min_length=4, max_length=16, description="as the device shows it")
    branch: str = Field(min_length=1, max_length=32)
    kind: DeviceKind
    name: Name = Field(min_length=1, max_length=120)
    config: DeviceConfig = Field(default_factory=DeviceConfig)


@router.post("/pairing", status_code=201)
async def start_pairing(
    work: PublicWork, request: Request, body: PairingStart | None = None
) -> PairingStarted:
    """A device without a token asks for a pairing code (public; limited per address)."""
    address = request.client.host if request.client else None
    kind = body.kind if body else None

    def run(session: Session, now: dt.datetime) -> dict[str, Any]:
        return pairing.start(
            session,
            kind=kind,
            address=address,
            public_url=work.ctx.settings.public_url,
            now=now,
        )

    return PairingStarted.model_validate(await work.public(run))


EXPIRED: dict[int | str, dict[str, Any]] = {
    410: error_answer("the pairing code expired before it was entered: ask for a new one")
}


@router.post("/pairing/status", responses=EXPIRED)
async def pairing_status(body: PairingSecret, work: PublicWork) -> PairingStatus:
    """Whether staff have entered the code yet; once they have, the device's token (410
    when the code expired first)."""

    def run(session: Session, now: dt.datetime) -> dict[str, Any]:
        return pairing.status(session, body.secret, now=now)

    return PairingStatus.model_validate(await work.public(run))


@router.post("/admin/pairing", status_code=201, responses=EXPIRED)
async def claim_pairing(body: PairingClaim, work: ConfigureWork) -> DevicePublic:
    """Pair the device showing ``code``: it is created in ``branch`` and receives its token
    within a few seconds. Wrong codes are limited per person."""
    code = pairing.normalize(body.code)

    def run(session: Session, principal: Principal, now: dt.datetime) -> DevicePublic:
        pairing.check_attempts(session, principal, now)
        branch = get_branch(session, body.branch, principal=principal)
        config = body.config.stored()
        admin.check_device_config(
            principal=principal, old=None, new=config, settings=work.ctx.settings
        )
        row = pairing.find_claimable(session, code, now=now)
        device = pairing.claim(
            session,
            row,
            branch=branch,
            kind=body.kind,
            name=body.name,
            config=config,
            principal=principal,
            now=now,
        )
        return admin.device_public(device, branch.code)

    try:
        return await work(run)
    except pairing.WRONG_CODE as err:  # a wrong, used or expired code: counted
        reason = err.code

        def note(session: Session, principal: Principal, now: dt.datetime) -> None:
            branch = get_branch(session, body.branch, principal=principal)  # checked above
            pairing.refused(session, code=code, reason=reason, branch_id=branch.id, now=now)

        await work(note)
        raise
