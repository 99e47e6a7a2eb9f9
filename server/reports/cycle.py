"""A branch's service-cycle map: moments (critical or not), standards per service, overrides."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session

from server.branches.lookup import list_services, service_name
from server.domain.errors import Invalid, NotFound
from server.domain.standards import (
    BY_KEY,
    MOMENTS,
    SERVICE_COLUMN,
    Measure,
    Override,
    Target,
    default_targets,
    override_from_dict,
)
from server.models import Branch, Service, ServiceCycle
from server.reports.schemas import CyclePublic


@dataclass(frozen=True)
class CycleConfig:
    """Everything needed to classify a ticket's moments at one branch."""

    critical: dict[str, bool]
    # service code -> moment -> target
    targets: dict[str, dict[str, Target]]
    overrides: tuple[Override, ...] = ()
    raw_overrides: tuple[dict[str, Any], ...] = ()
    updated_at: dt.datetime | None = None
    names: dict[str, str] = field(default_factory=dict)

    @property
    def critical_moments(self) -> tuple[str, ...]:
        return tuple(m.key for m in MOMENTS if self.critical[m.key])

    def target(self, service: str, moment: str) -> Target | None:
        return self.targets.get(service, {}).get(moment)


def _targets_for(service: Service, stored: dict[str, Any]) -> dict[str, Target]:
    defaults = default_targets(
        standard_wait_s=service.standard_wait_s, standard_service_s=service.standard_service_s
    )
    out: dict[str, Target] = {}
    for m in MOMENTS:
        base = defaults[m.key]
        raw = stored.get(m.key) or {}
        # A null stored by an earlier release means the default, as if never edited.
        expected = raw.get("expected")
        if expected is None:
            expected = base.expected
        if m.key in SERVICE_COLUMN:
            expected = getattr(service, SERVICE_COLUMN[m.key])
        exclusive = raw["exclusive"] if "exclusive" in raw else base.exclusive
        out[m.key] = Target(float(expected), None if exclusive is None else float(exclusive))
    return out


def load_cycle(session: Session, branch: Branch) -> CycleConfig:
    row = session.get(ServiceCycle, branch.id)
    stored_moments = (row.moments if row else None) or {}
    stored_standards = (row.standards if row else None) or {}
    raw_overrides = tuple((row.overrides if row else None) or ())
    services = list_services(session, branch.id)  # type: ignore[arg-type]
    return CycleConfig(
        critical={
            m.key: bool((stored_moments.get(m.key) or {}).get("critical", m.critical))
            for m in MOMENTS
        },
        targets={s.code: _targets_for(s, stored_standards.get(s.code) or {}) for s in services},
        overrides=tuple(override_from_dict(o) for o in raw_overrides),
        raw_overrides=raw_overrides,
        updated_at=row.updated_at if row else None,
        names={s.code: service_name(branch, s) for s in services},
    )


def _num(x: float | None) -> int | float | None:
    if x is None:
        return None
    return int(x) if float(x).is_integer() else x


def cycle_public(branch: Branch, cfg: CycleConfig) -> CyclePublic:
    """The map as the API shows it."""
    return CyclePublic.model_validate(
        {
            "branch": branch.code,
            "moments": [
                {
                    "key": m.key,
                    "name": m.name,
                    "measure": m.measure.value,
                    "critical": cfg.critical[m.key],
                }
                for m in MOMENTS
            ],
            "standards": {
                code: {
                    k: {"expected": _num(t.expected), "exclusive": _num(t.exclusive)}
                    for k, t in per.items()
                }
                for code, per in cfg.targets.items()
            },
            "overrides": [dict(o) for o in cfg.raw_overrides],
            "updated_at": cfg.updated_at.isoformat() if cfg.updated_at else None,
        }
    )


def update_cycle(
    session: Session,
    branch: Branch,
    *,
    moments: dict[str, bool] | None,
    standards: dict[str, dict[str, dict[str, Any]]] | None,
    overrides: list[dict[str, Any]] | None,
    now: dt.datetime,
) -> CycleConfig:
    """Store the manager's edits; wait/service expected targets go to the service rows."""
    row = session.get(ServiceCycle, branch.id) or ServiceCycle(branch_id=branch.id)  # type: ignore[arg-type]
    services = {s.code: s for s in list_services(session, branch.id)}  # type: ignore[arg-type]
    if moments:
        merged = {k: dict(v) for k, v in (row.moments or {}).items()}
        for key, critical in moments.items():
            merged.setdefault(key, {})["critical"] = critical
        row.moments = merged
    if standards:
        stored = {
            code: {k: dict(v) for k, v in per.items()}
            for code, per in (row.standards or {}).items()
        }
        for code, per in standards.items():
            service = services.get(code)
            if service is None:
                raise NotFound(f"branch {branch.code} has no service '{code}'")
            for moment, values in per.items():
                entry = stored.setdefault(code, {}).setdefault(moment, {})
                if "expected" in values:
                    if moment in SERVICE_COLUMN:
                        setattr(service, SERVICE_COLUMN[moment], int(values["expected"]))
                        session.add(service)
                    else:
                        entry["expected"] = values["expected"]
                if "exclusive" in values:
                    entry["exclusive"] = values["exclusive"]
        row.standards = stored
    if overrides is not None:
        row.overrides = overrides
    row.updated_at = now
    session.add(row)
    session.flush()
    cfg = load_cycle(session, branch)
    check_targets(cfg)
    return cfg


def check_targets(cfg: CycleConfig) -> None:
    """Refuse an exclusive level that is not better than the expected one."""
    for code, per in cfg.targets.items():
        for moment, t in per.items():
            if t.exclusive is None:
                continue
            better = (
                t.exclusive >= t.expected
                if BY_KEY[moment].measure is Measure.SCORE
                else t.exclusive <= t.expected
            )
            if not better:
                raise Invalid(
                    f"service {code}, moment {moment}: the exclusive target ({_num(t.exclusive)}) "
                    f"must be better than the expected one ({_num(t.expected)})"
                )
