"""``sira branch|service|counter|device add``: configuration from the command line.

Each command validates with the same schemas as the admin API and runs the same service
functions in one unit of work; a problem is printed as a sentence with a non-zero exit.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, TypeVar

import typer
from pydantic import BaseModel, ValidationError
from sqlmodel import Session

from server.admin import schemas
from server.admin import service as admin
from server.branches.lookup import get_branch
from server.config import Settings
from server.db import Database
from server.domain.errors import DomainError

M = TypeVar("M", bound=BaseModel)

branch_app = typer.Typer(help="Branches", no_args_is_help=True)
service_app = typer.Typer(help="Services (ticket prefixes)", no_args_is_help=True)
counter_app = typer.Typer(help="Counters", no_args_is_help=True)
device_app = typer.Typer(help="Kiosks, displays, speakers and agents", no_args_is_help=True)


def parse(model: type[M], **values: Any) -> M:
    """Validate like the API does; print each problem and exit 2 when invalid."""
    try:
        return model(**values)
    except ValidationError as exc:
        for err in exc.errors():
            where = ".".join(map(str, err["loc"])) or "input"
            typer.echo(f"{where}: {err['msg']}", err=True)
        raise typer.Exit(2) from exc


def run(work: Callable[[Session], str]) -> None:
    """Run ``work`` in one unit of work on the configured database and print its result."""
    try:
        settings = Settings()
    except ValueError as exc:
        typer.echo(f"configuration error: {exc}", err=True)
        raise typer.Exit(2) from exc
    db = Database(settings.sqlalchemy_url)
    try:
        with db.unit_of_work() as session:
            message = work(session)
        typer.echo(message)
    except DomainError as exc:
        typer.echo(exc.message, err=True)
        raise typer.Exit(1) from exc
    finally:
        db.dispose()


def _pairs(items: list[str], what: str) -> dict[str, str]:
    out = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep:
            typer.echo(f"{what} must look like lang=text, e.g. tr=Nakit işlemleri", err=True)
            raise typer.Exit(2)
        out[key.strip()] = value.strip()
    return out


@branch_app.command("add")
def branch_add(
    code: str,
    name: Annotated[str, typer.Option(help="the branch's name on screens and tickets")],
    timezone: Annotated[str, typer.Option(help="IANA zone, e.g. Europe/Istanbul")] = "UTC",
    languages: Annotated[str, typer.Option(help="comma-separated: en,tr,el,pl")] = "en",
    default_lang: Annotated[str | None, typer.Option(help="default language")] = None,
) -> None:
    """Add a branch."""
    body = parse(
        schemas.BranchCreate,
        code=code,
        name=name,
        timezone=timezone,
        languages=[x.strip() for x in languages.split(",") if x.strip()],
        default_lang=default_lang,
    )
    run(lambda s: f"added branch {admin.create_branch(s, body.model_dump()).code}")


@service_app.command("add")
def service_add(
    branch: str,
    code: str,
    name: Annotated[list[str], typer.Option(help="lang=name, once per language")],
    standard_wait_s: Annotated[int, typer.Option(help="wait standard, seconds")] = 600,
    standard_service_s: Annotated[int, typer.Option(help="service standard, seconds")] = 300,
) -> None:
    """Add a service; CODE is its ticket prefix (A, B …)."""
    body = parse(
        schemas.ServiceCreate,
        code=code,
        names=_pairs(name, "--name"),
        standard_wait_s=standard_wait_s,
        standard_service_s=standard_service_s,
    )

    def work(session: Session) -> str:
        svc = admin.create_service(session, get_branch(session, branch), body.model_dump())
        return f"added service {svc.code} to branch {branch}"

    run(work)


@counter_app.command("add")
def counter_add(
    branch: str,
    label: str,
    services: Annotated[str, typer.Option(help="service codes in the order served: A,B")],
) -> None:
    """Add a counter serving SERVICES in that order of preference."""
    body = parse(
        schemas.CounterCreate,
        label=label,
        services=[x.strip() for x in services.split(",") if x.strip()],
    )

    def work(session: Session) -> str:
        counter = admin.create_counter(
            session, get_branch(session, branch), label=body.label, services=body.services
        )
        return f"added counter {counter.label} (id {counter.id}) to branch {branch}"

    run(work)


@device_app.command("add")
def device_add(
    branch: str,
    kind: Annotated[str, typer.Option(help="kiosk | display | speaker | agent")],
    name: Annotated[str, typer.Option(help="where it stands, e.g. 'Entrance kiosk'")],
) -> None:
    """Register a device and print its token (shown once; it is stored hashed)."""
    body = parse(schemas.DeviceCreate, branch=branch, kind=kind, name=name)

    def work(session: Session) -> str:
        device, token = admin.create_device(
            session, branch=get_branch(session, branch), kind=body.kind, name=body.name, config={}
        )
        return f"added {device.kind} '{device.name}' (id {device.id})\ntoken: {token}"

    run(work)
