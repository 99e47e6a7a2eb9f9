"""``WS /api/v1/branches/{branch}/events``: a snapshot (or a replay after ``since``), then
every event of the branch exactly once and in sequence order.

The subscription is taken *before* the database is read, so an event committed while the
snapshot is built is either in the snapshot or in the queue (duplicates are dropped by seq).
Events can reach the queue out of order (two requests publish after their commits); each
connection holds a later one back until the gap fills, and reads the gap from the database
if it does not fill in a moment.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import re

from fastapi import APIRouter, WebSocket, WebSocketDisconnect
from sqlmodel import col, select

from server.auth import service as auth
from server.auth.principal import Principal, Role
from server.branches.lookup import get_branch
from server.branches.snapshot import snapshot
from server.context import AppContext
from server.deps import ReadQueueWork
from server.domain.errors import DomainError, Invalid, Unauthorized
from server.models import Device, Event
from server.printing.jobs import merge_status
from server.realtime.events import for_screens
from server.realtime.fanout import Subscription, encode, screen_text

log = logging.getLogger(__name__)
router = APIRouter()

GAP_WAIT_S = 0.25
CLOSE_CODES = {401: 4401, 403: 4403, 404: 4404}
# A message the client has not taken in this long: it stopped reading (the queue's bound
# catches a busy branch sooner). Closing such a client waits as long for room to say why.
SEND_TIMEOUT_S = 30.0
CLOSE_WAIT_S = 30.0
TOO_FAR_BEHIND = (4008, "too far behind; reconnect with since=SEQ")
SIGN_IN = 'log in first: send {"type": "auth", "token": TOKEN} as the first message'
BAD_SINCE = "since must be a whole number: the seq of the last event you applied"
# Any seq a branch can reach fits in 19 digits (BIGINT); a longer number is one it never did.
_SINCE = re.compile(r"-?[0-9]{1,19}", re.ASCII)
_BEYOND = re.compile(r"[0-9]{20,}", re.ASCII)


def parse_since(raw: str | None) -> int | None:
    """``?since=`` as a seq; -1 for one no branch can reach (it gets a snapshot)."""
    if raw is None:
        return None
    if _SINCE.fullmatch(raw):
        return int(raw)
    if _BEYOND.fullmatch(raw.removeprefix("-")):
        return -1
    raise Invalid(BAD_SINCE)


def _authorize(
    ctx: AppContext, token: str | None, code: str, roles: frozenset[Role]
) -> tuple[Principal, int]:
    with ctx.db.unit_of_work(write=False) as session:
        if not token:
            raise Unauthorized(SIGN_IN)
        principal = auth.resolve(session, token=token, now=ctx.clock.now())
        principal.require(*roles)
        branch = get_branch(session, code, principal=principal)
        return principal, branch.id  # type: ignore[return-value]


def _events_after(
    ctx: AppContext, branch_id: int, after: int, upto: int | None = None, limit: int | None = None
) -> list[Event]:
    with ctx.db.unit_of_work(write=False) as session:
        stmt = select(Event).where(Event.branch_id == branch_id, Event.seq > after)
        if upto is not None:
            stmt = stmt.where(Event.seq < upto)
        stmt = stmt.order_by(col(Event.seq))
        if limit is not None:
            stmt = stmt.limit(limit)
        return list(session.exec(stmt))


def _row_text(ev: Event, *, staff: bool) -> str:
    text = encode({"seq": ev.seq, "type": ev.type, "at": ev.at, "data": ev.data})
    return text if staff else screen_text(text)


def _replay(
    ctx: AppContext, branch_id: int, code: str, since: int | None, staff: bool
) -> tuple[list[str], int] | None:
    """The events after ``since`` when the log still holds them all; None: send a snapshot
    (also for a ``since`` the branch never reached, however large, or below zero)."""
    if since is None or since < 0:
        return None
    with ctx.db.read_session() as session:
        last_seq = get_branch(session, code).last_seq
    if since > last_seq:
        return None
    limit = ctx.settings.replay_limit
    rows = _events_after(ctx, branch_id, since, limit=limit + 1)
    contiguous = all(r.seq == since + 1 + i for i, r in enumerate(rows))
    if len(rows) <= limit and contiguous:
        return [_row_text(r, staff=staff) for r in rows], since + len(rows)
    return None


async def _initial(
    ctx: AppContext, branch_id: int, code: str, since: int | None, staff: bool
) -> tuple[list[str], int]:
    """What a socket gets first: a replay after ``since``, or the branch's snapshot, shared
    with every socket of its audience asking while it is built."""
    replay = await ctx.sockets.run(_replay, ctx, branch_id, code, since, staff)
    if replay is not None:
        return replay
    shared = await ctx.sockets.snapshot(
        (branch_id, staff), lambda: _build_snapshot(ctx, code, staff)
    )
    first = [shared.text]
    if shared.joined:
        # Built before this socket subscribed: what was committed in between is in the log.
        limit = ctx.settings.replay_limit  # more than that: the pump reads the gap itself
        rows = await ctx.sockets.run(_events_after, ctx, branch_id, shared.seq, None, limit)
        first += [_row_text(r, staff=staff) for r in rows]
        return first, shared.seq + len(rows)
    return first, shared.seq


def _build_snapshot(ctx: AppContext, code: str, staff: bool) -> tuple[str, int]:
    with ctx.db.snapshot_session() as session, session.begin():
        branch = get_branch(session, code)
        data = snapshot(session, branch, now=ctx.clock.now())
        seq = branch.last_seq
    message = {"type": "snapshot", "seq": seq, "data": data}
    if not staff:
        message = for_screens(message)
    return json.dumps(message, ensure_ascii=False, default=str), seq


class TooSlow(Exception):
    """The client did not take a message in time (it stopped reading)."""


async def _send(ws: WebSocket, text: str) -> None:
    """One message, bounded: a client that stops reading backs the connection up until a
    write waits for room, and must not hold its stream (and its queue) forever."""
    try:
        await asyncio.wait_for(ws.send_text(text), SEND_TIMEOUT_S)
    except TimeoutError:
        raise TooSlow from None


async def _resync(ws: WebSocket, ctx: AppContext, sub: Subscription, code: str) -> int:
    """Send the branch's snapshot mid-stream (clients re-render from it); its seq."""
    shared = await ctx.sockets.snapshot(
        (sub.branch_id, sub.staff), lambda: _build_snapshot(ctx, code, sub.staff)
    )
    await _send(ws, shared.text)
    return shared.seq


async def _pump(
    ws: WebSocket, ctx: AppContext, sub: Subscription, branch_id: int, last: int, code: str
) -> None:
    held: dict[int, str] = {}
    while True:
        try:
            seq, text = await asyncio.wait_for(sub.queue.get(), GAP_WAIT_S if held else None)
        except TimeoutError:
            # A gap that did not fill: the missing events are committed, read them. A gap
            # longer than a replay, or one the log does not fill, gets a fresh snapshot: a
            # screen that fell far behind re-renders once instead of replaying thousands.
            limit = ctx.settings.replay_limit
            upto = min(held)
            rows = await ctx.sockets.run(_events_after, ctx, branch_id, last, upto, limit + 1)
            if len(rows) <= limit and [r.seq for r in rows] == list(range(last + 1, upto)):
                for ev in rows:
                    await _send(ws, _row_text(ev, staff=sub.staff))
                    last = ev.seq
            else:
                last = await _resync(ws, ctx, sub, code)
            seq, text = -1, ""
        if seq > last:
            held[seq] = text
        while last + 1 in held:
            last += 1
            await _send(ws, held.pop(last))
        for stale in [s for s in held if s <= last]:
            del held[stale]


async def _guard(
    ctx: AppContext, sub: Subscription, token: str | None, code: str, roles: frozenset[Role]
) -> tuple[int, str]:
    """Checks the socket's token again whenever an access change concerns it (a logout, a
    revoked device, announced by any process) and every ``ws_recheck_s`` as a backstop (a
    session that expired, a change made outside the server); the close code once it died."""
    every = ctx.settings.ws_recheck_s or None
    while True:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(sub.recheck.wait(), every)
        sub.recheck.clear()
        try:
            await ctx.sockets.run(_authorize, ctx, token, code, roles)
        except DomainError as exc:
            return CLOSE_CODES.get(exc.status_code, 4400), exc.message[:120]
        except Exception:  # the database is away: keep streaming, check again later
            log.warning("could not check an event socket's token again", exc_info=True)


async def _until_closed(ws: WebSocket) -> None:
    while True:
        # Clients may send pings; nothing else is expected.
        if (await ws.receive())["type"] == "websocket.disconnect":
            return


async def _signed_in_token(ws: WebSocket, wait_s: float) -> str | None:
    """The token of the socket's first message, ``{"type": "auth", "token": TOKEN}``.

    Browsers cannot set headers on a WebSocket, and a token in the URL ends up in access
    logs and proxies; so a browser signs in with its first message, before any data flows.
    None: the client sent something else, or nothing in time."""
    try:
        message = await asyncio.wait_for(ws.receive(), wait_s)
    except TimeoutError:
        return None
    if message["type"] == "websocket.disconnect":
        raise WebSocketDisconnect(message.get("code", 1000))
    try:
        body = json.loads(message.get("text") or "")
    except ValueError:
        return None
    if not isinstance(body, dict) or body.get("type") != "auth":
        return None
    token = body.get("token")
    return token if isinstance(token, str) and token else None


@router.websocket("/api/v1/branches/{branch}/events")
async def branch_events(
    ws: WebSocket,
    work: ReadQueueWork,
    branch: str,
    since: str | None = None,
    token: str | None = None,
) -> None:
    """Who may listen is the route's declared rule (``work.roles``), checked once the socket
    has signed in (the token may come in the first message)."""
    ctx: AppContext = ws.app.state.ctx
    roles = work.roles
    assert roles is not None
    try:
        after = parse_since(since)
    except DomainError as exc:
        await ws.accept()
        await ws.close(code=4400, reason=exc.message)
        return
    header = ws.headers.get("authorization", "")
    if not token and header.lower().startswith("bearer "):
        token = header[7:].strip()
    await ws.accept()
    try:
        if not token:
            token = await _signed_in_token(ws, ctx.settings.ws_auth_wait_s)
    except WebSocketDisconnect:
        return
    # An access change heard while the token is checked is checked again once subscribed.
    changes = ctx.bus.access_changes
    try:
        principal, branch_id = await ctx.sockets.run(_authorize, ctx, token, branch, roles)
    except DomainError as exc:
        await ws.close(code=CLOSE_CODES.get(exc.status_code, 4400), reason=exc.message[:120])
        return
    screen = principal.device_id if principal.role in SCREEN_ROLES else None
    if screen is not None:
        await _screen_seen(ctx, screen, +1)
    sub = ctx.bus.subscribe(branch_id, user_id=principal.user_id, device_id=principal.device_id)
    if ctx.bus.access_changes != changes:
        sub.recheck.set()
    close: tuple[int, str] | None = None
    try:
        close = await _stream(ws, ctx, sub, token=token, code=branch, since=after, roles=roles)
    except WebSocketDisconnect:
        pass
    finally:
        # The stream ends here, before the close frame: a client that stopped reading may
        # never take it.
        ctx.bus.unsubscribe(sub)
        if screen is not None:
            # Shielded: a handler cancelled as its socket goes must still record the screen
            # as gone.
            with contextlib.suppress(Exception):
                await asyncio.shield(_screen_seen(ctx, screen, -1))
    if close is not None:
        with contextlib.suppress(Exception):
            await asyncio.wait_for(ws.close(code=close[0], reason=close[1]), CLOSE_WAIT_S)


async def _stream(
    ws: WebSocket,
    ctx: AppContext,
    sub: Subscription,
    *,
    token: str | None,
    code: str,
    since: int | None,
    roles: frozenset[Role],
) -> tuple[int, str] | None:
    """The snapshot or replay, then live events until the client goes, falls too far behind,
    or its token dies; the close code and reason the server ends it with, if any."""
    first, last = await _initial(ctx, sub.branch_id, code, since, sub.staff)
    try:
        for text in first:
            await _send(ws, text)
    except TooSlow:
        return TOO_FAR_BEHIND
    pump = asyncio.create_task(_pump(ws, ctx, sub, sub.branch_id, last, code))
    behind = asyncio.create_task(sub.dropped.wait())
    closed = asyncio.create_task(_until_closed(ws))
    guard = asyncio.create_task(_guard(ctx, sub, token, code, roles))
    tasks = {pump, behind, closed, guard}
    try:
        done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    finally:
        # Not awaited: a cancelled task never writes again (uvicorn writes only after its
        # wait for room), and the handler must end promptly when its socket goes.
        for task in tasks:
            task.cancel()
    if guard in done and not guard.cancelled() and guard.exception() is None:
        return guard.result()
    if behind in done or (pump in done and isinstance(pump.exception(), TooSlow)):
        return TOO_FAR_BEHIND
    for task in done:
        error = None if task.cancelled() else task.exception()
        if error is not None and not isinstance(error, WebSocketDisconnect):
            log.warning("event stream for %s ended: %r", code, error)
    return None


# Browser screens (a TV's call display, a kiosk page, a speaker) show up on the manager's device
# list through their event stream: online while at least one of their streams is open here.
# Quietly (no event): a screen reconnecting must not add to the branch's moment-of-truth log;
# the dashboard re-reads the device list every few seconds.
SCREEN_ROLES = (Role.DISPLAY, Role.KIOSK, Role.SPEAKER)


async def _screen_seen(ctx: AppContext, device_id: int, delta: int) -> None:
    count = ctx.screens.get(device_id, 0) + delta
    if count > 0:
        ctx.screens[device_id] = count
    else:
        ctx.screens.pop(device_id, None)
    if (delta > 0 and count == 1) or count == 0:
        await ctx.db.run(_mark_screen, ctx, device_id, count > 0, write=True)


def _mark_screen(ctx: AppContext, device_id: int, online: bool) -> None:
    with ctx.db.unit_of_work() as session:
        device = session.get(Device, device_id)
        if device is None:
            return
        now = ctx.clock.now()
        device.last_seen_at = now
        session.add(device)
        state = {"state": "online" if online else "offline", "detail": ""}
        merge_status(session, device=device, parts={"screen": state}, now=now, announce=False)
