"""Whether a branch issues tickets for a service now (the one rule, server/domain/hours.py,
read from the rows) and the refusal a person reads when it does not."""

from __future__ import annotations

import datetime as dt

from server.branches.lookup import service_name
from server.domain.calendar import zone
from server.domain.errors import BranchClosed, Conflict, DomainError, ServiceCutOff
from server.domain.hours import DAY_NAMES, DAYS, Issuing, issuing
from server.models import Branch, Service

_MONTHS = (
    "January February March April May June July August September October November December"
).split()


def service_issuing(branch: Branch, service: Service, *, now: dt.datetime) -> Issuing:
    """Whether a ticket for ``service`` can be issued at ``now``, and why not."""
    return issuing(
        hours=branch.opening_hours,
        closed_dates=branch.closed_dates or [],
        tz=branch.timezone,
        cutoff_min=service.cutoff_min,
        now=now,
        branch_open=branch.is_open,
        service_active=service.active,
    )


def check_issuing(branch: Branch, service: Service, *, now: dt.datetime) -> None:
    """Refuse (409) a ticket for ``service`` that cannot be issued now, saying why and when
    tickets are issued again (in the branch's local time)."""
    state = service_issuing(branch, service, now=now)
    if not state.open:
        raise refusal(branch, service, state, now=now)


def _local(at: dt.datetime, branch: Branch) -> dt.datetime:
    return at.astimezone(zone(branch.timezone))


def when(at: dt.datetime, *, now: dt.datetime, branch: Branch) -> str:
    """``at`` as a person says it in the branch: "today at 13:30", "tomorrow at 09:00", "on
    Monday at 09:00", "on Monday 6 April at 09:00"."""
    local = _local(at, branch)
    days = (local.date() - _local(now, branch).date()).days
    clock = local.strftime("%H:%M")
    if days == 0:
        return f"today at {clock}"
    if days == 1:
        return f"tomorrow at {clock}"
    weekday = DAY_NAMES[DAYS[local.weekday()]]
    if days < 7:
        return f"on {weekday} at {clock}"
    return f"on {weekday} {local.day} {_MONTHS[local.month - 1]} at {clock}"


def refusal(branch: Branch, service: Service, state: Issuing, *, now: dt.datetime) -> DomainError:
    """The error refusing a ticket in ``state`` (not open)."""
    if state.reason == "branch_closed":
        return Conflict(f"branch {branch.code} is closed and is not issuing tickets")
    if state.reason == "service_inactive":
        return Conflict(f"service {service.code} is not available at the moment")
    if state.reason == "cut_off":
        name = service_name(branch, service, lang="en")
        until = "today"
        if state.opens_at is not None:
            resumes = _local(state.opens_at, branch)
            if resumes.date() == _local(now, branch).date():  # after a lunch break
                until = f"until {resumes:%H:%M}"
        minutes = service.cutoff_min or 0
        span = "1 minute" if minutes == 1 else f"{minutes} minutes"
        last = f" ({_local(state.cutoff_at, branch):%H:%M})" if state.cutoff_at else ""
        return ServiceCutOff(
            f"No more tickets for {name} {until}: the last ticket is issued {span} before "
            f"closing{last}."
        )
    closed = "today" if state.reason == "closed_date" else "now"
    again = (
        f"; it opens again {when(state.opens_at, now=now, branch=branch)}" if state.opens_at else ""
    )
    return BranchClosed(f"The branch is closed {closed}{again}.")
