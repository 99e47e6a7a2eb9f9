"""Loading branches, services, counters and tickets by their public keys, with clear 404s.

Branch scoping lives here, once: given a ``principal``, a row of a branch the caller may not
see is answered exactly as a row that does not exist (404 with the same message), so ids and
branch codes of other branches cannot be probed.
"""

from __future__ import annotations

from sqlalchemy import bindparam
from sqlmodel import Session, col, select

from server.auth.principal import Principal
from server.domain.errors import NotFound
from server.models import Branch, Counter, Service, Ticket

# Row ids are 32-bit INTEGER columns on PostgreSQL (and 64-bit on SQLite): a larger number
# from a URL names no row, and must not reach the database, which would raise instead.
MAX_ID = 2**31 - 1


def valid_id(row_id: int) -> bool:
    return 1 <= row_id <= MAX_ID


_BRANCH_BY_CODE = select(Branch).where(Branch.code == bindparam("code"))
_SERVICE_BY_CODE = select(Service).where(
    Service.branch_id == bindparam("branch_id"), Service.code == bindparam("code")
)


def in_scope(principal: Principal | None, branch_id: int, missing: str) -> None:
    """Refuse, as NotFound(``missing``), a row of a branch ``principal`` may not see."""
    if principal is not None and not principal.sees(branch_id):
        raise NotFound(missing)


def get_branch(session: Session, code: str, *, principal: Principal | None = None) -> Branch:
    branch = session.exec(_BRANCH_BY_CODE, params={"code": code}).first()
    missing = f"there is no branch '{code}'"
    if branch is None:
        raise NotFound(missing)
    in_scope(principal, branch.id, missing)  # type: ignore[arg-type]
    return branch


def visible_branches(
    session: Session, principal: Principal, codes: set[str] | None = None
) -> list[Branch]:
    """The branches ``principal`` may see, by code; with ``codes``, exactly those (a code that
    does not exist and one out of reach are answered alike, 404)."""
    stmt = select(Branch).order_by(col(Branch.code))
    if principal.branch_ids is not None:
        stmt = stmt.where(col(Branch.id).in_(principal.branch_ids))
    if codes is not None:
        stmt = stmt.where(col(Branch.code).in_(codes))
    rows = list(session.exec(stmt))
    hidden = sorted(codes - {b.code for b in rows}) if codes is not None else []
    if hidden:
        raise NotFound(f"there is no branch {', '.join(repr(c) for c in hidden)}")
    return rows


def branch_for(session: Session, principal: Principal, code: str) -> Branch:
    """The branch ``code`` when ``principal`` may see it (the route checked the role)."""
    return get_branch(session, code, principal=principal)


def get_branch_by_id(session: Session, branch_id: int) -> Branch:
    branch = session.get(Branch, branch_id)
    if branch is None:
        raise NotFound(f"there is no branch {branch_id}")
    return branch


def service_name(branch: Branch, service: Service, *, lang: str | None = None) -> str:
    """The service's name in ``lang``, else in the branch's default language, else any
    name it has, else its code (one rule for screens, tickets, phones and reports)."""
    names = service.names or {}
    return (
        names.get(lang or branch.default_lang)
        or names.get(branch.default_lang)
        or next(iter(names.values()), service.code)
    )


def get_service(session: Session, branch: Branch, code: str) -> Service:
    service = session.exec(_SERVICE_BY_CODE, params={"branch_id": branch.id, "code": code}).first()
    if service is None:
        raise NotFound(f"branch {branch.code} has no service '{code}'")
    return service


def list_services(session: Session, branch_id: int) -> list[Service]:
    return list(
        session.exec(
            select(Service)
            .where(Service.branch_id == branch_id)
            .order_by(Service.sort_order, Service.code)  # type: ignore[arg-type]
        )
    )


def list_counters(session: Session, branch_id: int) -> list[Counter]:
    return list(
        session.exec(
            select(Counter).where(Counter.branch_id == branch_id).order_by(Counter.id)  # type: ignore[arg-type]
        )
    )


def get_counter(
    session: Session,
    counter_id: int,
    *,
    principal: Principal | None = None,
    lock: bool = False,
) -> Counter:
    missing = f"there is no counter {counter_id}"
    if not valid_id(counter_id):
        raise NotFound(missing)
    stmt = select(Counter).where(Counter.id == counter_id)
    if lock:
        stmt = stmt.with_for_update()
    counter = session.exec(stmt).first()
    if counter is None:
        raise NotFound(missing)
    in_scope(principal, counter.branch_id, missing)
    return counter


def get_ticket(
    session: Session,
    ticket_id: int,
    *,
    principal: Principal | None = None,
    lock: bool = False,
) -> Ticket:
    missing = f"there is no ticket {ticket_id}"
    if not valid_id(ticket_id):
        raise NotFound(missing)
    stmt = select(Ticket).where(Ticket.id == ticket_id)
    if lock:
        stmt = stmt.with_for_update()
    ticket = session.exec(stmt).first()
    if ticket is None:
        raise NotFound(missing)
    in_scope(principal, ticket.branch_id, missing)
    return ticket
