"""``sira branch|service|counter|device|user add|list|set|remove``: configuration from the
command line.

Each command validates with the same schemas as the admin API and runs the same service
functions in one unit of work, acting as an administrator; the audit trail names the
operating-system account (``cli:NAME``). A problem is printed as a sentence with a non-zero
exit: 2 for input that does not validate, 1 for a change the rules refuse. ``list`` prints
the rows the admin API would answer (``--json``), or them as an aligned table.
"""

from __future__ import annotations

import datetime as dt
import getpass
import json
from collections.abc import Callable, Sequence
from typing import Annotated, Any, TypeVar

import typer
from pydantic import BaseModel, ValidationError
from sqlmodel import Session, select

from server import audit
from server.admin import schemas
from server.admin import service as admin
from server.auth.principal import Principal, Role
from server.branches.lookup import get_branch, get_service, list_counters, list_services
from server.config import Settings
from server.counters.service import counter_public
from server.db import Database
from server.domain.errors import DomainError, NotFound
from server.models import Branch, Counter, User

M = TypeVar("M", bound=BaseModel)

branch_app = typer.Typer(help="Branches", no_args_is_help=True)
service_app = typer.Typer(help="Services (ticket prefixes)", no_args_is_help=True)
counter_app = typer.Typer(help="Counters", no_args_is_help=True)
device_app = typer.Typer(help="Kiosks, displays, speakers and agents", no_args_is_help=True)
user_app = typer.Typer(help="Staff accounts", no_args_is_help=True)

JsonOption = Annotated[
    bool, typer.Option("--json", help="print the rows as the admin API answers them")
]
YesOption = Annotated[bool, typer.Option("--yes", "-y", help="do not ask for confirmation")]


# --- running a command ----------------------------------------------------------------------


def _login_name() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no login name and no passwd entry (some containers)
        return "unknown"


def cli_actor() -> audit.Actor:
    """Who the audit trail says acted: the operating-system account running ``sira``."""
    return audit.Actor("cli", f"cli:{_login_name()}")


def cli_principal() -> Principal:
    """The command line acts as an administrator (it has the database itself)."""
    return Principal(role=Role.ADMIN, branch_id=None, name=cli_actor().name)


def settings() -> Settings:
    try:
        return Settings()
    except ValueError as exc:
        typer.echo(f"configuration error: {exc}", err=True)
        raise typer.Exit(2) from exc


def parse(model: type[M], **values: Any) -> M:
    """Validate like the API does; print each problem and exit 2 when invalid."""
    try:
        return model(**values)
    except ValidationError as exc:
        for err in exc.errors():
            where = ".".join(map(str, err["loc"])) or "input"
            typer.echo(f"{where}: {err['msg']}", err=True)
        raise typer.Exit(2) from exc


def now_of(session: Session) -> dt.datetime:
    """The unit of work's clock reading (see :func:`run`)."""
    now = session.info[audit.NOW]
    assert isinstance(now, dt.datetime)
    return now


def run(work: Callable[[Session], str], *, write: bool = True) -> None:
    """Run ``work`` in one unit of work on the configured database and print its result."""
    db = Database(settings().sqlalchemy_url)
    try:
        with db.unit_of_work(write=write) as session:
            session.info[audit.ACTOR] = cli_actor()
            session.info[audit.NOW] = dt.datetime.now(dt.UTC)
            message = work(session)
        typer.echo(message)
    except DomainError as exc:
        typer.echo(exc.message, err=True)
        raise typer.Exit(1) from exc
    finally:
        db.dispose()


def confirm(yes: bool, question: str) -> None:
    """Ask ``question`` unless ``--yes``; answered no, nothing changes (exit 1)."""
    if yes:
        return
    if not typer.confirm(question, default=False):
        typer.echo("nothing changed", err=True)
        raise typer.Exit(1)


def given(**values: Any) -> dict[str, Any]:
    """The options the user actually gave (an option left out is None)."""
    out = {k: v for k, v in values.items() if v is not None}
    if not out:
        typer.echo("nothing to change: give at least one option (see --help)", err=True)
        raise typer.Exit(2)
    return out


def _pairs(items: list[str], what: str) -> dict[str, str]:
    out = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep:
            typer.echo(f"{what} must look like lang=text, e.g. tr=Nakit işlemleri", err=True)
            raise typer.Exit(2)
        out[key.strip()] = value.strip()
    return out


def _codes(text: str) -> list[str]:
    return [x.strip() for x in text.split(",") if x.strip()]


# --- printing rows ---------------------------------------------------------------------------

Column = tuple[str, Callable[[dict[str, Any]], object]]


def _cell(value: object) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def table(rows: Sequence[dict[str, Any]], columns: Sequence[Column]) -> str:
    """``rows`` aligned in columns under their headings."""
    lines = [[h for h, _ in columns]] + [[_cell(get(r)) for _, get in columns] for r in rows]
    widths = [max(len(line[i]) for line in lines) for i in range(len(columns))]
    return "\n".join(
        "  ".join(c.ljust(w) for c, w in zip(line, widths, strict=True)).rstrip() for line in lines
    )


def show(rows: Sequence[BaseModel], columns: Sequence[Column], *, as_json: bool, none: str) -> str:
    """The admin API's rows: as its JSON, or as a table of some of their fields."""
    data = [r.model_dump(mode="json") for r in rows]
    if as_json:
        return json.dumps(data, indent=2, ensure_ascii=False)
    return table(data, columns) if data else none


def _seconds(value: int | None) -> str | None:
    return None if value is None else f"{value}s"


# --- branches ------------------------------------------------------------------------------


BRANCH_COLUMNS: list[Column] = [
    ("CODE", lambda r: r["code"]),
    ("NAME", lambda r: r["name"]),
    ("TIMEZONE", lambda r: r["timezone"]),
    ("LANGUAGES", lambda r: ",".join(r["languages"]) + f" ({r['default_lang']})"),
    ("OPEN", lambda r: r["is_open"]),
    ("ORDER", lambda r: r["order_mode"]),
    (
        "PRIORITY",
        lambda r: (
            f"ratio 1/{r['priority_ratio']}"
            if r["priority_mode"] == "ratio"
            else r["priority_mode"]
        ),
    ),
    ("MAX WAIT", lambda r: _seconds(r["max_wait_s"])),
    ("TRANSFER", lambda r: r["transfer_placement"]),
]


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
        languages=_codes(languages),
        default_lang=default_lang,
    )
    run(lambda s: f"added branch {admin.create_branch(s, body.model_dump()).code}")


@branch_app.command("list")
def branch_list(as_json: JsonOption = False) -> None:
    """List the branches (their languages: default in brackets)."""

    def work(session: Session) -> str:
        rows = [admin.branch_public(b) for b in admin.list_branches(session, cli_principal())]
        return show(rows, BRANCH_COLUMNS, as_json=as_json, none="no branches")

    run(work, write=False)


def _max_wait(value: str | None) -> object:
    """``--max-wait-s``: seconds, or 0 / none to remove the cap (anything else: pydantic's)."""
    if value is None or value.strip().lower() in ("0", "none"):
        return None
    try:
        return int(value)
    except ValueError:
        return value  # refused by the schema, with its message


@branch_app.command("set")
def branch_set(
    code: str,
    name: Annotated[str | None, typer.Option(help="the branch's name")] = None,
    timezone: Annotated[str | None, typer.Option(help="IANA zone, e.g. Europe/Istanbul")] = None,
    languages: Annotated[str | None, typer.Option(help="comma-separated: en,tr,el,pl")] = None,
    default_lang: Annotated[str | None, typer.Option(help="one of its languages")] = None,
    message: Annotated[str | None, typer.Option(help="shown on kiosks and displays")] = None,
    is_open: Annotated[
        bool | None, typer.Option("--open/--closed", help="closed: kiosks issue no tickets")
    ] = None,
    order_mode: Annotated[str | None, typer.Option(help="fifo | service_order")] = None,
    priority_mode: Annotated[str | None, typer.Option(help="none | strict | ratio")] = None,
    priority_ratio: Annotated[
        int | None, typer.Option(help="ratio mode: a priority ticket every N calls (1-20)")
    ] = None,
    max_wait_s: Annotated[
        str | None,
        typer.Option(help="a ticket waiting longer is called first; 0 or 'none': no cap"),
    ] = None,
    transfer_placement: Annotated[
        str | None, typer.Option(help="first | arrival: where a transferred ticket joins")
    ] = None,
    keep_waiting_at_close: Annotated[
        bool | None,
        typer.Option(
            "--keep-waiting-at-close/--cancel-waiting-at-close",
            help="tickets still waiting at the end of the day stay queued, or are cancelled",
        ),
    ] = None,
) -> None:
    """Change a branch: only the options given."""
    values = given(
        name=name,
        timezone=timezone,
        languages=None if languages is None else _codes(languages),
        default_lang=default_lang,
        message=message,
        is_open=is_open,
        order_mode=order_mode,
        priority_mode=priority_mode,
        priority_ratio=priority_ratio,
        max_wait_s=max_wait_s,
        transfer_placement=transfer_placement,
        keep_waiting_at_close=keep_waiting_at_close,
    )
    if "max_wait_s" in values:
        values["max_wait_s"] = _max_wait(max_wait_s)
    body = parse(schemas.BranchUpdate, **values)

    def work(session: Session) -> str:
        # As PATCH /admin/branches/{code}: only what was given; max_wait_s may be null.
        b = get_branch(session, code)
        changes = body.model_dump(exclude_unset=True, exclude={"version"})
        changes = {k: v for k, v in changes.items() if v is not None or k == "max_wait_s"}
        admin.update_branch(session, b, changes, principal=cli_principal(), now=now_of(session))
        session.flush()
        return f"updated branch {b.code}: {', '.join(sorted(changes))}"

    run(work)


@branch_app.command("remove")
def branch_remove(code: str, yes: YesOption = False) -> None:
    """Delete a branch that never issued a ticket (one with history: close it instead)."""
    confirm(
        yes,
        f"Delete branch {code} with its services, counters, devices and staff accounts? "
        f"A branch that has issued tickets is not deleted (its history stays; close it "
        f"instead: sira branch set {code} --closed).",
    )

    def work(session: Session) -> str:
        admin.delete_branch(session, get_branch(session, code))
        return f"deleted branch {code}"

    run(work)


# --- services ------------------------------------------------------------------------------


SERVICE_COLUMNS: list[Column] = [
    ("CODE", lambda r: r["code"]),
    ("NAMES", lambda r: "  ".join(f"{k}={v}" for k, v in r["names"].items())),
    ("WAIT STD", lambda r: _seconds(r["standard_wait_s"])),
    ("SERVICE STD", lambda r: _seconds(r["standard_service_s"])),
    ("ACTIVE", lambda r: r["active"]),
    ("ORDER", lambda r: r["sort_order"]),
]


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


@service_app.command("list")
def service_list(branch: str, as_json: JsonOption = False) -> None:
    """List a branch's services in their kiosk order."""

    def work(session: Session) -> str:
        b = get_branch(session, branch)
        rows = [admin.service_public(s) for s in list_services(session, b.id)]  # type: ignore[arg-type]
        return show(rows, SERVICE_COLUMNS, as_json=as_json, none=f"branch {branch} has no services")

    run(work, write=False)


@service_app.command("set")
def service_set(
    branch: str,
    code: str,
    name: Annotated[
        list[str] | None,
        typer.Option(help="lang=name, once per language to change (the others stay)"),
    ] = None,
    standard_wait_s: Annotated[int | None, typer.Option(help="wait standard, seconds")] = None,
    standard_service_s: Annotated[
        int | None, typer.Option(help="service standard, seconds")
    ] = None,
    active: Annotated[
        bool | None,
        typer.Option("--active/--inactive", help="inactive: kiosks no longer offer it"),
    ] = None,
    sort_order: Annotated[int | None, typer.Option(help="place on the kiosk, lowest first")] = None,
) -> None:
    """Change a service: only the options given."""
    values = given(
        names=_pairs(name, "--name") if name else None,
        standard_wait_s=standard_wait_s,
        standard_service_s=standard_service_s,
        active=active,
        sort_order=sort_order,
    )
    body = parse(schemas.ServiceUpdate, **values)

    def work(session: Session) -> str:
        # As PATCH /admin/branches/{branch}/services/{code}; a name is set per language.
        svc = get_service(session, get_branch(session, branch), code)
        changes = body.model_dump(exclude_unset=True, exclude_none=True, exclude={"version"})
        if "names" in changes:
            changes["names"] = {**svc.names, **changes["names"]}
        admin.update_service(session, svc, changes, now=now_of(session))
        session.flush()
        return f"updated service {svc.code} of branch {branch}: {', '.join(sorted(changes))}"

    run(work)


@service_app.command("remove")
def service_remove(branch: str, code: str, yes: YesOption = False) -> None:
    """Remove a service: deleted if it never issued a ticket, else retired (kept in reports)."""
    confirm(
        yes,
        f"Remove service {code} of branch {branch}? If it has issued tickets it is retired "
        "instead (inactive, no longer offered; its history stays in reports).",
    )

    def work(session: Session) -> str:
        svc = get_service(session, get_branch(session, branch), code)
        admin.delete_service(session, svc)
        if svc in session.deleted:
            return f"deleted service {code} of branch {branch}"
        return (
            f"retired service {code} of branch {branch}: it has ticket history, which stays "
            "in reports"
        )

    run(work)


# --- counters ------------------------------------------------------------------------------


COUNTER_COLUMNS: list[Column] = [
    ("ID", lambda r: r["id"]),
    ("LABEL", lambda r: r["label"]),
    ("SERVICES", lambda r: ",".join(r["services"])),
    ("STATE", lambda r: r["state"]),
    ("HELD BY", lambda r: r["held_by"]["username"] if r["held_by"] else None),
]


def _counter(session: Session, branch: str, label: str) -> tuple[Branch, Counter]:
    b = get_branch(session, branch)
    counter = session.exec(
        select(Counter).where(Counter.branch_id == b.id, Counter.label == label)
    ).first()
    if counter is None:
        raise NotFound(f"branch {b.code} has no counter '{label}'")
    return b, counter


@counter_app.command("add")
def counter_add(
    branch: str,
    label: str,
    services: Annotated[str, typer.Option(help="service codes in the order served: A,B")],
) -> None:
    """Add a counter serving SERVICES in that order of preference."""
    body = parse(schemas.CounterCreate, label=label, services=_codes(services))

    def work(session: Session) -> str:
        counter = admin.create_counter(
            session, get_branch(session, branch), label=body.label, services=body.services
        )
        return f"added counter {counter.label} (id {counter.id}) to branch {branch}"

    run(work)


@counter_app.command("list")
def counter_list(branch: str, as_json: JsonOption = False) -> None:
    """List a branch's counters with what they serve and who holds them."""

    def work(session: Session) -> str:
        b = get_branch(session, branch)
        rows = [counter_public(session, c) for c in list_counters(session, b.id)]  # type: ignore[arg-type]
        return show(rows, COUNTER_COLUMNS, as_json=as_json, none=f"branch {branch} has no counters")

    run(work, write=False)


@counter_app.command("set")
def counter_set(
    branch: str,
    label: str,
    new_label: Annotated[str | None, typer.Option("--label", help="its new label")] = None,
    services: Annotated[
        str | None, typer.Option(help="service codes in the order served: A,B")
    ] = None,
) -> None:
    """Relabel a counter or change what it serves (LABEL: its current label)."""
    values = given(label=new_label, services=None if services is None else _codes(services))
    body = parse(schemas.CounterUpdate, **values)

    def work(session: Session) -> str:
        # As PATCH /admin/branches/{branch}/counters/{id}.
        b, counter = _counter(session, branch, label)
        admin.update_counter(
            session,
            b,
            counter,
            label=body.label,
            services=body.services,
            principal=cli_principal(),
            now=now_of(session),
        )
        session.flush()
        return (
            f"updated counter {counter.label} (id {counter.id}) of branch {branch}: "
            f"{', '.join(sorted(values))}"
        )

    run(work)


@counter_app.command("remove")
def counter_remove(branch: str, label: str, yes: YesOption = False) -> None:
    """Delete a closed counter that never served a ticket."""
    confirm(
        yes,
        f"Delete counter {label} of branch {branch}? A counter that has served tickets is not "
        "deleted (its history stays in reports; take its services away with "
        "sira counter set instead).",
    )

    def work(session: Session) -> str:
        admin.delete_counter(session, _counter(session, branch, label)[1])
        return f"deleted counter {label} of branch {branch}"

    run(work)


# --- devices -------------------------------------------------------------------------------


DEVICE_COLUMNS: list[Column] = [
    ("ID", lambda r: r["id"]),
    ("BRANCH", lambda r: r["branch"]),
    ("KIND", lambda r: r["kind"]),
    ("NAME", lambda r: r["name"]),
    ("STATE", lambda r: "active" if r["active"] else "revoked"),
    ("LAST SEEN", lambda r: r["last_seen_at"] or "never"),
]


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


@device_app.command("list")
def device_list(
    branch: Annotated[str | None, typer.Option(help="only this branch's devices")] = None,
    as_json: JsonOption = False,
) -> None:
    """List the devices (never their tokens)."""

    def work(session: Session) -> str:
        if branch is not None:
            get_branch(session, branch)  # an unknown branch is an error, not an empty list
        rows = [
            d
            for d in admin.list_devices(session, cli_principal())
            if branch is None or d.branch == branch
        ]
        return show(rows, DEVICE_COLUMNS, as_json=as_json, none="no devices")

    run(work, write=False)


@device_app.command("set")
def device_set(
    device_id: Annotated[int, typer.Argument(metavar="ID", help="see sira device list")],
    name: Annotated[str | None, typer.Option(help="where it stands")] = None,
    active: Annotated[
        bool | None,
        typer.Option("--active/--revoked", help="revoked: its token stops working"),
    ] = None,
) -> None:
    """Rename a device, or revoke or restore its token."""
    body = parse(schemas.DeviceUpdate, **given(name=name, active=active))
    config = settings()

    def work(session: Session) -> str:
        # As PATCH /admin/devices/{id} (its printer is configured through the API).
        device = admin.get_device(session, device_id)
        changes = body.model_dump(
            exclude_unset=True, exclude_none=True, exclude={"config", "version"}
        )
        admin.update_device(
            session,
            device,
            changes,
            principal=cli_principal(),
            settings=config,
            now=now_of(session),
        )
        session.flush()
        fields = ", ".join(sorted(changes))
        return f"updated {device.kind} '{device.name}' (id {device.id}): {fields}"

    run(work)


@device_app.command("remove")
def device_remove(
    device_id: Annotated[int, typer.Argument(metavar="ID", help="see sira device list")],
    yes: YesOption = False,
) -> None:
    """Revoke a device: its token stops working at once (the device and its history stay)."""
    confirm(
        yes,
        f"Revoke device {device_id}? Its token stops working at once; the device and its "
        f"history stay (sira device set {device_id} --active restores it).",
    )

    def work(session: Session) -> str:
        device = admin.get_device(session, device_id)
        admin.deactivate_device(session, device, now=now_of(session))
        return f"revoked {device.kind} '{device.name}' (id {device.id})"

    run(work)


# --- users (add, unlock and reset-password, and registering these: server/cli.py) -------------


USER_COLUMNS: list[Column] = [
    ("USERNAME", lambda r: r["username"]),
    ("ROLE", lambda r: r["role"]),
    ("BRANCH", lambda r: r["branch"]),
    ("FULL NAME", lambda r: r["full_name"] or None),
    ("STATE", lambda r: "active" if r["active"] else "disabled"),
]


def get_user(session: Session, username: str) -> User:
    user = session.exec(select(User).where(User.username == username)).first()
    if user is None:
        raise NotFound(f"there is no user '{username}'")
    return user


def user_list(
    branch: Annotated[str | None, typer.Option(help="only this branch's staff")] = None,
    as_json: JsonOption = False,
) -> None:
    """List the staff accounts (never their passwords)."""

    def work(session: Session) -> str:
        if branch is not None:
            get_branch(session, branch)
        rows = [
            u
            for u in admin.list_users(session, cli_principal())
            if branch is None or u.branch == branch
        ]
        return show(rows, USER_COLUMNS, as_json=as_json, none="no users")

    run(work, write=False)


def user_set(
    username: str,
    role: Annotated[str | None, typer.Option(help="admin | manager | teller")] = None,
    full_name: Annotated[str | None, typer.Option(help="shown on consoles")] = None,
    active: Annotated[
        bool | None,
        typer.Option("--active/--disabled", help="disabled: signed out, cannot sign in"),
    ] = None,
) -> None:
    """Change a staff account's role, name or state (the last active admin stays one)."""
    body = parse(schemas.UserUpdate, **given(role=role, full_name=full_name, active=active))

    def work(session: Session) -> str:
        # As PATCH /admin/users/{id} (a password: sira user reset-password).
        user = get_user(session, username)
        changes = body.model_dump(
            exclude_unset=True, exclude_none=True, exclude={"password", "version"}
        )
        if "role" in changes:
            admin.check_user_scope(cli_principal(), role=changes["role"], branch_id=user.branch_id)
        admin.update_user(session, user, changes)
        session.flush()
        return f"updated user {user.username}: {', '.join(sorted(changes))}"

    run(work)


def user_remove(username: str, yes: YesOption = False) -> None:
    """Disable a staff account (not deleted: tickets keep naming who served them)."""
    confirm(
        yes,
        f"Disable user {username}? They are signed out and cannot sign in; the account is "
        f"kept, so tickets keep naming who served them (sira user set {username} --active "
        "restores it).",
    )

    def work(session: Session) -> str:
        # As DELETE /admin/users/{id}: deactivated, not deleted.
        user = get_user(session, username)
        admin.update_user(session, user, {"active": False})
        return f"disabled user {username}; their history stays"

    run(work)
