"""Configuration routes (admin; manager for their own branch)."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Response
from fastapi import Path as PathParam
from pydantic import BaseModel, Field
from sqlmodel import Session

from server.admin import schemas, service
from server.audit import check_version
from server.auth.principal import Principal
from server.branches.dayclose import close_past_days
from server.branches.lookup import (
    branch_for,
    get_branch,
    get_branch_by_id,
    get_counter,
    get_service,
    list_counters,
    list_services,
)
from server.counters.schemas import CounterPublic
from server.counters.service import counter_public
from server.deps import AdminWork, ConfigureWork
from server.devices.watch import heard_here
from server.domain.errors import Conflict, NotFound
from server.models import Branch, Device, User
from server.printing.trial import TrialDelivery, print_test_ticket
from server.security import new_password_hash

router = APIRouter(prefix="/api/v1/admin", tags=["admin"])

BranchCode = PathParam(min_length=1, max_length=32)


def _branch_for(session: Session, principal: Principal, code: str) -> Branch:
    return branch_for(session, principal, code)


# --- branches -----------------------------------------------------------------------------


@router.post("/branches", status_code=201)
async def create_branch(body: schemas.BranchCreate, work: AdminWork) -> schemas.BranchPublic:
    def run(session: Session, principal: Principal, _now: dt.datetime) -> schemas.BranchPublic:
        return service.branch_public(service.create_branch(session, body.model_dump()))

    return await work(run)


@router.get("/branches")
async def list_branches(work: ConfigureWork) -> list[schemas.BranchPublic]:
    def run(
        session: Session, principal: Principal, _now: dt.datetime
    ) -> list[schemas.BranchPublic]:
        return [service.branch_public(b) for b in service.list_branches(session, principal)]

    return await work(run)


@router.get("/branches/{branch}")
async def read_branch(work: ConfigureWork, branch: str = BranchCode) -> schemas.BranchPublic:
    def run(session: Session, principal: Principal, _now: dt.datetime) -> schemas.BranchPublic:
        return service.branch_public(_branch_for(session, principal, branch))

    return await work(run)


@router.patch("/branches/{branch}")
async def update_branch(
    body: schemas.BranchUpdate, work: ConfigureWork, branch: str = BranchCode
) -> schemas.BranchPublic:
    def run(session: Session, principal: Principal, now: dt.datetime) -> schemas.BranchPublic:
        b = _branch_for(session, principal, branch)
        check_version(b, body.version, what=f"branch {b.code}")
        changes = body.model_dump(exclude_unset=True, exclude={"version"})
        nullable = {"max_wait_s", "opening_hours"}
        changes = {k: v for k, v in changes.items() if v is not None or k in nullable}
        service.update_branch(session, b, changes, principal=principal, now=now)
        session.flush()
        return service.branch_public(b)

    return await work(run)


@router.delete("/branches/{branch}", status_code=204)
async def delete_branch(work: AdminWork, branch: str = BranchCode) -> Response:
    def run(session: Session, principal: Principal, _now: dt.datetime) -> None:
        service.delete_branch(session, get_branch(session, branch))

    await work(run)
    return Response(status_code=204)


@router.post("/branches/{branch}/close-day")
async def close_day(work: ConfigureWork, branch: str = BranchCode) -> schemas.DayClosed:
    """Cancel tickets left waiting from earlier business days now (also runs by itself)."""

    def run(session: Session, principal: Principal, now: dt.datetime) -> schemas.DayClosed:
        b = _branch_for(session, principal, branch)
        return schemas.DayClosed(cancelled=close_past_days(session, b, now=now))

    return await work(run)


# --- services -----------------------------------------------------------------------------


@router.post("/branches/{branch}/services", status_code=201)
async def create_service(
    body: schemas.ServiceCreate, work: ConfigureWork, branch: str = BranchCode
) -> schemas.ServicePublic:
    def run(session: Session, principal: Principal, _now: dt.datetime) -> schemas.ServicePublic:
        b = _branch_for(session, principal, branch)
        return service.service_public(service.create_service(session, b, body.model_dump()))

    return await work(run)


@router.get("/branches/{branch}/services")
async def list_branch_services(
    work: ConfigureWork, branch: str = BranchCode
) -> list[schemas.ServicePublic]:
    def run(
        session: Session, principal: Principal, _now: dt.datetime
    ) -> list[schemas.ServicePublic]:
        b = _branch_for(session, principal, branch)
        return [service.service_public(s) for s in list_services(session, b.id)]  # type: ignore[arg-type]

    return await work(run)


@router.get("/branches/{branch}/services/{code}")
async def read_service(
    code: str, work: ConfigureWork, branch: str = BranchCode
) -> schemas.ServicePublic:
    def run(session: Session, principal: Principal, _now: dt.datetime) -> schemas.ServicePublic:
        return service.service_public(
            get_service(session, _branch_for(session, principal, branch), code)
        )

    return await work(run)


@router.patch("/branches/{branch}/services/{code}")
async def update_service(
    code: str, body: schemas.ServiceUpdate, work: ConfigureWork, branch: str = BranchCode
) -> schemas.ServicePublic:
    def run(session: Session, principal: Principal, now: dt.datetime) -> schemas.ServicePublic:
        svc = get_service(session, _branch_for(session, principal, branch), code)
        check_version(svc, body.version, what=f"service {svc.code}")
        changes = body.model_dump(exclude_unset=True, exclude={"version"})
        nullable = {"cutoff_min"}  # null: issue until closing
        changes = {k: v for k, v in changes.items() if v is not None or k in nullable}
        service.update_service(session, svc, changes, now=now)
        session.flush()
        return service.service_public(svc)

    return await work(run)


@router.delete("/branches/{branch}/services/{code}", status_code=204)
async def delete_service(code: str, work: ConfigureWork, branch: str = BranchCode) -> Response:
    def run(session: Session, principal: Principal, _now: dt.datetime) -> None:
        service.delete_service(
            session, get_service(session, _branch_for(session, principal, branch), code)
        )

    await work(run)
    return Response(status_code=204)


# --- counters -----------------------------------------------------------------------------


@router.post("/branches/{branch}/counters", status_code=201)
async def create_counter(
    body: schemas.CounterCreate, work: ConfigureWork, branch: str = BranchCode
) -> CounterPublic:
    def run(session: Session, principal: Principal, _now: dt.datetime) -> CounterPublic:
        b = _branch_for(session, principal, branch)
        return counter_public(
            session, service.create_counter(session, b, label=body.label, services=body.services)
        )

    return await work(run)


@router.get("/branches/{branch}/counters")
async def list_branch_counters(
    work: ConfigureWork, branch: str = BranchCode
) -> list[CounterPublic]:
    def run(session: Session, principal: Principal, _now: dt.datetime) -> list[CounterPublic]:
        b = _branch_for(session, principal, branch)
        return [counter_public(session, c) for c in list_counters(session, b.id)]  # type: ignore[arg-type]

    return await work(run)


def _counter_in(session: Session, principal: Principal, branch: str, counter_id: int):  # type: ignore[no-untyped-def]
    b = _branch_for(session, principal, branch)
    counter = get_counter(session, counter_id)
    if counter.branch_id != b.id:
        raise NotFound(f"branch {b.code} has no counter {counter_id}")
    return b, counter


@router.get("/branches/{branch}/counters/{counter_id}")
async def read_counter(
    counter_id: int, work: ConfigureWork, branch: str = BranchCode
) -> CounterPublic:
    def run(session: Session, principal: Principal, _now: dt.datetime) -> CounterPublic:
        return counter_public(session, _counter_in(session, principal, branch, counter_id)[1])

    return await work(run)


@router.patch("/branches/{branch}/counters/{counter_id}")
async def update_counter(
    counter_id: int, body: schemas.CounterUpdate, work: ConfigureWork, branch: str = BranchCode
) -> CounterPublic:
    def run(session: Session, principal: Principal, now: dt.datetime) -> CounterPublic:
        b, counter = _counter_in(session, principal, branch, counter_id)
        check_version(counter, body.version, what=f"counter {counter.label}")
        service.update_counter(
            session,
            b,
            counter,
            label=body.label,
            services=body.services,
            principal=principal,
            now=now,
        )
        session.flush()
        return counter_public(session, counter)

    return await work(run)


@router.delete("/branches/{branch}/counters/{counter_id}", status_code=204)
async def delete_counter(
    counter_id: int, work: ConfigureWork, branch: str = BranchCode
) -> Response:
    def run(session: Session, principal: Principal, _now: dt.datetime) -> None:
        service.delete_counter(session, _counter_in(session, principal, branch, counter_id)[1])

    await work(run)
    return Response(status_code=204)


# --- users --------------------------------------------------------------------------------


@router.post("/users", status_code=201)
async def create_user(body: schemas.UserCreate, work: ConfigureWork) -> schemas.UserPublic:
    def allowed(session: Session, principal: Principal, _now: dt.datetime) -> None:
        branch_id = (
            get_branch(session, body.branch, principal=principal).id if body.branch else None
        )
        service.check_user_scope(principal, role=body.role, branch_id=branch_id)

    # The password is hashed between a read-only check of the caller and the write: argon2
    # never runs for a caller who may not do this, nor inside the write slot.
    await work.check(allowed)
    digest = await new_password_hash(body.password)

    def run(session: Session, principal: Principal, now: dt.datetime) -> schemas.UserPublic:
        allowed(session, principal, now)
        user = service.create_user(
            session, password_hash=digest, **body.model_dump(exclude={"password"})
        )
        return service.user_public(user, body.branch)

    return await work(run)


@router.get("/users")
async def list_users(work: ConfigureWork) -> list[schemas.UserPublic]:
    def run(session: Session, principal: Principal, _now: dt.datetime) -> list[schemas.UserPublic]:
        return service.list_users(session, principal)

    return await work(run)


def _user_for(session: Session, principal: Principal, user_id: int) -> User:
    user = service.get_user(session, user_id, principal=principal)
    service.check_user_scope(principal, role=user.role, branch_id=user.branch_id)
    return user


@router.get("/users/{user_id}")
async def read_user(user_id: int, work: ConfigureWork) -> schemas.UserPublic:
    def run(session: Session, principal: Principal, _now: dt.datetime) -> schemas.UserPublic:
        user = _user_for(session, principal, user_id)
        return service.user_public(user, service.user_branch_code(session, user))

    return await work(run)


@router.patch("/users/{user_id}")
async def update_user(
    user_id: int, body: schemas.UserUpdate, work: ConfigureWork
) -> schemas.UserPublic:
    digest = None
    if body.password is not None:
        # As for a new user: check the caller read-only, hash, then write.
        await work.check(lambda session, principal, _now: _user_for(session, principal, user_id))
        digest = await new_password_hash(body.password)

    def run(session: Session, principal: Principal, _now: dt.datetime) -> schemas.UserPublic:
        user = _user_for(session, principal, user_id)
        check_version(user, body.version, what=f"user {user.username}")
        changes = body.model_dump(
            exclude_unset=True, exclude_none=True, exclude={"password", "version"}
        )
        if "role" in changes:
            service.check_user_scope(principal, role=changes["role"], branch_id=user.branch_id)
        user = service.update_user(session, user, changes, password_hash=digest)
        session.flush()
        return service.user_public(user, service.user_branch_code(session, user))

    return await work(run)


@router.post("/users/{user_id}/sign-out", status_code=204)
async def sign_out_everywhere(user_id: int, work: ConfigureWork) -> Response:
    """End every session of the user (a lost phone, a teller who left): their open screens
    close at once and the counters they hold are paused (reason signed_out)."""

    def run(session: Session, principal: Principal, now: dt.datetime) -> None:
        service.sign_out_everywhere(session, _user_for(session, principal, user_id), now=now)

    await work(run)
    return Response(status_code=204)


class UserBranches(BaseModel):
    """The branches a manager oversees besides their own (replaces the list)."""

    branches: list[str] = Field(max_length=1000)


@router.get("/users/{user_id}/branches")
async def read_user_branches(user_id: int, work: AdminWork) -> schemas.UserBranchesPublic:
    """The branches a manager oversees: their own plus any extra (admin only)."""

    def run(
        session: Session, principal: Principal, _now: dt.datetime
    ) -> schemas.UserBranchesPublic:
        user = service.get_user(session, user_id)
        own = service.user_branch_code(session, user)
        return schemas.UserBranchesPublic(branch=own, branches=service.user_branches(session, user))

    return await work(run)


@router.put("/users/{user_id}/branches")
async def put_user_branches(
    user_id: int, body: UserBranches, work: AdminWork
) -> schemas.UserBranchesPublic:
    """Set the extra branches a manager oversees (admin only); replaces the list."""

    def run(
        session: Session, principal: Principal, _now: dt.datetime
    ) -> schemas.UserBranchesPublic:
        user = service.get_user(session, user_id)
        branches = service.set_user_branches(session, user, body.branches)
        return schemas.UserBranchesPublic(
            branch=service.user_branch_code(session, user), branches=branches
        )

    return await work(run)


@router.delete("/users/{user_id}", status_code=204)
async def delete_user(user_id: int, work: ConfigureWork) -> Response:
    def run(session: Session, principal: Principal, _now: dt.datetime) -> None:
        user = _user_for(session, principal, user_id)
        if user.id == principal.user_id:
            raise Conflict("you cannot delete your own account")
        # Deactivated, not deleted: tickets keep naming the teller who served them.
        service.update_user(session, user, {"active": False})

    await work(run)
    return Response(status_code=204)


# --- devices ------------------------------------------------------------------------------


@router.post("/devices", status_code=201)
async def create_device(body: schemas.DeviceCreate, work: ConfigureWork) -> schemas.DeviceCreated:
    def run(session: Session, principal: Principal, _now: dt.datetime) -> schemas.DeviceCreated:
        b = _branch_for(session, principal, body.branch)
        config = body.config.stored()
        service.check_device_config(
            principal=principal, old=None, new=config, settings=work.ctx.settings
        )
        device, token = service.create_device(
            session, branch=b, kind=body.kind, name=body.name, config=config
        )
        return schemas.DeviceCreated(
            **service.device_public(device, b.code).model_dump(), token=token
        )

    return await work(run)


@router.get("/devices")
async def list_devices(work: ConfigureWork) -> list[schemas.DevicePublic]:
    def run(session: Session, principal: Principal, now: dt.datetime) -> list[schemas.DevicePublic]:
        return service.list_devices(session, principal, heard_here(work.ctx, now=now))

    return await work(run)


def _device_for(session: Session, principal: Principal, device_id: int) -> Device:
    return service.get_device(session, device_id, principal=principal)


@router.get("/devices/{device_id}")
async def read_device(device_id: int, work: ConfigureWork) -> schemas.DevicePublic:
    def run(session: Session, principal: Principal, now: dt.datetime) -> schemas.DevicePublic:
        device = _device_for(session, principal, device_id)
        code = get_branch_by_id(session, device.branch_id).code
        return service.device_public(device, code, heard_here(work.ctx, now=now))

    return await work(run)


@router.patch("/devices/{device_id}")
async def update_device(
    device_id: int, body: schemas.DeviceUpdate, work: ConfigureWork
) -> schemas.DevicePublic:
    def run(session: Session, principal: Principal, now: dt.datetime) -> schemas.DevicePublic:
        device = _device_for(session, principal, device_id)
        check_version(device, body.version, what=f"device {device.name}")
        changes = body.model_dump(
            exclude_unset=True, exclude_none=True, exclude={"config", "version"}
        )
        if body.config is not None:
            changes["config"] = body.config.stored()
        service.update_device(
            session, device, changes, principal=principal, settings=work.ctx.settings, now=now
        )
        session.flush()
        return service.device_public(device, get_branch_by_id(session, device.branch_id).code)

    return await work(run)


@router.delete("/devices/{device_id}", status_code=204)
async def delete_device(device_id: int, work: ConfigureWork) -> Response:
    def run(session: Session, principal: Principal, now: dt.datetime) -> None:
        service.deactivate_device(session, _device_for(session, principal, device_id), now=now)

    await work(run)
    return Response(status_code=204)


@router.post("/devices/{device_id}/test-print")
async def test_print(device_id: int, work: AdminWork) -> schemas.TestPrintResult:
    """Print a test ticket on the device's printer (admin only: it drives the hardware).
    A printer the server drives answers at once (``ok``, its ``state`` and ``detail``); one
    driven by the kiosk's agent is sent a job (``state: queued``). 409: the device has no
    printer."""

    def run(session: Session, principal: Principal, now: dt.datetime) -> TrialDelivery:
        device = _device_for(session, principal, device_id)
        return print_test_ticket(session, device, settings=work.ctx.settings, now=now)

    delivery = await work(run)
    answer = delivery.answer
    if answer is None:  # the printer was not reached (the server stopped meanwhile)
        return schemas.TestPrintResult(ok=False, state="unknown", detail="not printed")
    return schemas.TestPrintResult(ok=answer.ok, state=answer.state, detail=answer.detail)
