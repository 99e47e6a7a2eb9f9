"""Device pairing routes: a device asks for a code and waits; staff claim the code."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from fastapi import APIRouter, Path, Request
from pydantic import BaseModel, ConfigDict, Field
from sqlmodel import Session

from server.admin import service as admin
from server.admin.schemas import DevicePublic
from server.auth.principal import Principal
from server.branches.lookup import get_branch
from server.deps import ConfigureWork, PublicWork
from server.devices import pairing
from server.devices.config import DeviceConfig
from server.domain.errors import Invalid
from server.domain.text import Name
from server.openapi import error_answer

router = APIRouter(prefix="/api/v1", tags=["pairing"])

DeviceKind = Literal["kiosk", "display", "speaker", "agent"]


class PairingStart(BaseModel):
    kind: DeviceKind | None = Field(default=None, description="what the device is, if it knows")


class PairingStarted(BaseModel):
    """A pairing code for the device to show, and the secret it keeps to ask for its token."""

    code: str = Field(description="show this; staff type it in Settings", examples=["K7QM-4XPA"])
    pairing_id: str = Field(
        description="keep this: GET /pairing/{pairing_id} (or POST it as `secret` to "
        "/pairing/status) until the token comes"
    )
    secret: str = Field(description="the same value as pairing_id (for POST /pairing/status)")
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


class PairingPoll(BaseModel):
    """``pending`` until staff enter the code; ``paired`` with the device's token (given once:
    asking again answers 410); ``expired`` when nobody entered it in time."""

    status: Literal["pending", "paired", "expired"]
    token: str | None = Field(default=None, description="the device's bearer token: keep it")
    branch: str | None = Field(default=None, description="the branch the device joined")
    kind: str | None = Field(default=None, description="kiosk, display, speaker or agent")
    name: str | None = Field(default=None, description="the device's name")
    device_id: int | None = None
    expires_at: dt.datetime | None = Field(default=None, description="while pending")


class PairingClaimed(DevicePublic):
    """The paired device (``device_id`` repeats ``id``)."""

    device_id: int


class PairingClaim(BaseModel):
    model_config = ConfigDict(extra="forbid")

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


TAKEN: dict[int | str, dict[str, Any]] = {
    410: error_answer("the token was already handed over: ask for a new code")
}


@router.get("/pairing/{pairing_id}", responses=TAKEN)
async def poll_pairing(
    work: PublicWork, pairing_id: str = Path(min_length=16, max_length=128)
) -> PairingPoll:
    """Whether staff have entered the code yet (no auth: the pairing id is the device's
    secret; it is blanked out of logs). Once paired, the answer holds the token, once."""

    def run(session: Session, now: dt.datetime) -> dict[str, Any]:
        return pairing.poll(session, pairing_id, now=now)

    answer = await work.public(run)
    state = answer["state"]
    if state == "delivered":
        raise pairing.TokenTaken(pairing.ALREADY_TAKEN)
    if state == "paired":
        device = answer["device"]
        return PairingPoll(
            status="paired",
            token=answer["token"],
            branch=device["branch"],
            kind=device["kind"],
            name=device["name"],
            device_id=device["id"],
        )
    if state == "expired":
        return PairingPoll(status="expired")
    return PairingPoll(status="pending", expires_at=answer["expires_at"])


@router.post("/admin/pairing", status_code=201, responses=EXPIRED)
async def claim_pairing(body: PairingClaim, work: ConfigureWork) -> DevicePublic:
    """Pair the device showing ``code``: it is created in ``branch`` and receives its token
    within a few seconds. Wrong codes are limited per person."""
    return await _claim(body, work)


@router.post("/admin/pairing/claim", status_code=201, responses=EXPIRED)
async def claim_pairing_code(body: PairingClaim, work: ConfigureWork) -> PairingClaimed:
    """The contract's name for ``POST /admin/pairing``: unknown code 404, used 409, expired
    410."""
    device = await _claim(body, work)
    return PairingClaimed(**device.model_dump(), device_id=device.id)


async def _claim(body: PairingClaim, work: ConfigureWork) -> DevicePublic:
    code = pairing.normalize(body.code)
    if len(code) != pairing.CODE_LENGTH:  # not a code at all: a typing slip, not a guess
        raise Invalid(
            f"a pairing code is {pairing.CODE_LENGTH} letters and digits, such as K7QM-4XPA: "
            "type it as the device shows it",
            field="code",
        )

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
