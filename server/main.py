"""create_app(settings): routers, error handlers, lifespan (engine, bus, day close)."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
from collections.abc import AsyncIterator
from pathlib import Path

from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import FileResponse, JSONResponse, PlainTextResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from sqlalchemy import text
from sqlmodel import select
from starlette.concurrency import run_in_threadpool

from server import errors, log_redaction
from server.admin.router import router as admin_router
from server.alerts.router import router as alerts_router
from server.announcements.router import router as announcements_router
from server.audit.router import admin_router as admin_audit_router
from server.audit.router import router as audit_router
from server.auth.router import router as auth_router
from server.branches.dayclose import close_past_days
from server.branches.logo_router import UPLOAD_ALLOWANCE
from server.branches.logo_router import router as logo_router
from server.branches.overview import router as overview_router
from server.branches.router import router as branches_router
from server.clock import Clock, SystemClock
from server.config import Settings, public_url_problem
from server.context import AppContext
from server.counters.router import router as counters_router
from server.counters.service import release_expired
from server.customers.router import router as customers_router
from server.db import Database
from server.deps import OPEN_ROUTE, bearer_token
from server.devices.agent import router as agent_router
from server.devices.pairing_router import router as pairing_router
from server.devices.watch import watch_loop
from server.edge import BodyLimit, SecurityHeaders
from server.guidance.router import router as guidance_router
from server.metrics.router import router as metrics_router
from server.models import Branch
from server.models.types import row_id
from server.openapi import declare_errors
from server.printing.router import router as printing_router
from server.printing.service import ServerPrinters
from server.realtime.bus import EventBus, make_bus
from server.realtime.ws import router as ws_router
from server.reports import regrade, risk
from server.reports.router import router as reports_router
from server.tickets.router import router as tickets_router

log = logging.getLogger("sira")
ROOT = Path(__file__).resolve().parent.parent
UI_DIRS = {
    "kiosk": "kiosk_ui",
    "display": "display_ui",
    "teller": "teller_ui",
    "manager": "manager_ui",
    # The customer's phone page: /t/{token} serves customer_ui/index.html, assets under /customer/.
    "customer": "customer_ui",
    # Styles and scripts the screens share.
    "ui": "ui_common",
    # The API reference's page and its vendored Swagger UI (/docs serves the page).
    "api-docs": "docs_ui",
}


def close_days_once(ctx: AppContext) -> int:
    """Run the day close for every branch whose day has turned; returns tickets cancelled."""
    total = 0
    with ctx.db.unit_of_work(write=False) as session:
        branch_ids = [row_id(b) for b in session.exec(select(Branch))]
    for branch_id in branch_ids:
        # A cycle map changed and not yet re-graded (the process stopped in the middle):
        # two weeks per transaction, before the day close's refresh would do it in one.
        regrade.regrade_in_steps(ctx.db, branch_id)
        with ctx.db.unit_of_work() as session:
            branch = session.get(Branch, branch_id)
            if branch is not None:
                total += close_past_days(session, branch, now=ctx.clock.now())
    return total


async def _risk_loop(ctx: AppContext, interval: float) -> None:
    while True:
        try:
            await run_in_threadpool(risk.check_all, ctx)
        except Exception:  # keep the loop alive; the next round retries
            log.exception("standard risk check failed")
        await asyncio.sleep(interval)


def release_expired_once(ctx: AppContext) -> int:
    """Pause the counters of tellers whose sessions all ended (as a sign-out would)."""
    with ctx.db.unit_of_work() as session:
        return release_expired(session, now=ctx.clock.now())


async def _day_close_loop(ctx: AppContext) -> None:
    while True:
        try:
            await run_in_threadpool(close_days_once, ctx)
        except Exception:  # keep the loop alive; the next round retries
            log.exception("day close failed")
        try:
            await run_in_threadpool(release_expired_once, ctx)
        except Exception:
            log.exception("releasing the counters of expired sessions failed")
        await asyncio.sleep(ctx.settings.day_close_interval_s)


def create_app(
    settings: Settings | None = None,
    *,
    clock: Clock | None = None,
    bus: EventBus | None = None,
    db: Database | None = None,
) -> FastAPI:
    settings = settings or Settings()
    # Before the first request: no token in a log line (access log, WebSocket handshakes).
    log_redaction.install()
    db = db or Database(settings.sqlalchemy_url, sqlite_synchronous=settings.sqlite_synchronous)
    # In-process bus, or Redis pub/sub when SIRA_REDIS_URL is set (several processes/hosts).
    bus = bus or make_bus(settings, db)
    ctx = AppContext(settings=settings, db=db, bus=bus, clock=clock or SystemClock())
    printers = ctx.printers = ServerPrinters(db=db, settings=settings, now=ctx.clock.now)
    db.attach(publish=bus.publish, run_effects=ctx.run_effects_soon)

    @contextlib.asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        ctx.loop = asyncio.get_running_loop()
        await bus.start()
        poller = asyncio.create_task(printers.poll_loop()) if settings.printer_poll_s > 0 else None
        watcher = (
            asyncio.create_task(watch_loop(ctx)) if settings.device_offline_after_s > 0 else None
        )
        closer = (
            asyncio.create_task(_day_close_loop(ctx)) if settings.day_close_interval_s > 0 else None
        )
        risk_every = risk.interval_s(ctx)
        checker = asyncio.create_task(_risk_loop(ctx, risk_every)) if risk_every > 0 else None
        freeze = settings.gc_freeze if settings.gc_freeze is not None else settings.env != "test"
        if freeze:
            gc.collect()
            gc.freeze()
        try:
            yield
        finally:
            if freeze:
                gc.unfreeze()
            if checker is not None:
                checker.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await checker
            if closer is not None:
                closer.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await closer
            for task in (poller, watcher):
                if task is not None:
                    task.cancel()
                    with contextlib.suppress(asyncio.CancelledError):
                        await task
            await ctx.drain()
            printers.close()
            ctx.sockets.close()
            await bus.stop()
            ctx.loop = None

    app = FastAPI(
        title="Sira",
        version="1.0",
        lifespan=lifespan,
        description="Queue management for bank branches",
        # The reference is served from this server's own files (offline branch networks).
        docs_url=None,
        redoc_url=None,
    )
    app.state.ctx = ctx
    errors.install(app)
    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes, allowances=[UPLOAD_ALLOWANCE])
    app.add_middleware(SecurityHeaders)  # outermost: the 413 above gets the headers too
    for router in (
        auth_router,
        tickets_router,
        counters_router,
        customers_router,
        admin_router,
        metrics_router,
        overview_router,
        alerts_router,
        audit_router,
        admin_audit_router,
        reports_router,
        printing_router,
        announcements_router,
        guidance_router,
        agent_router,
        pairing_router,
        branches_router,
        logo_router,
        ws_router,
    ):
        app.include_router(declare_errors(router))

    @app.get("/healthz", include_in_schema=False, dependencies=OPEN_ROUTE)
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/readyz", include_in_schema=False, dependencies=OPEN_ROUTE)
    async def readyz() -> JSONResponse:
        def db_ok() -> bool:
            with db.engine.connect() as conn:
                conn.execute(text("SELECT 1"))
            return True

        checks = {"database": False, "bus": False}
        with contextlib.suppress(Exception):
            checks["database"] = await run_in_threadpool(db_ok)
        with contextlib.suppress(Exception):
            checks["bus"] = await bus.ping()
        ready = all(checks.values())
        # Not a reason to be unready, but what IT must see after an install: customers'
        # phones cannot open a QR code that points at the server itself.
        warnings = [w for w in (public_url_problem(settings.public_url),) if w]
        return JSONResponse(
            {"ready": ready, **checks, "public_url": settings.public_url, "warnings": warnings},
            status_code=200 if ready else 503,
        )

    @app.get("/metrics", include_in_schema=False, dependencies=OPEN_ROUTE)
    def prometheus(request: Request) -> PlainTextResponse:
        from server.metrics.prometheus import render, scrape_allowed

        scrape_allowed(settings, bearer_token(request))
        return PlainTextResponse(render(ctx), media_type="text/plain; version=0.0.4")

    @app.get("/", include_in_schema=False, dependencies=OPEN_ROUTE)
    def index() -> RedirectResponse:
        return RedirectResponse("/docs")

    docs_page = ROOT / UI_DIRS["api-docs"] / "index.html"

    @app.get("/docs", include_in_schema=False, dependencies=OPEN_ROUTE)
    def api_reference() -> FileResponse:
        if not docs_page.is_file():
            raise HTTPException(status_code=404, detail="the API reference is not installed")
        return FileResponse(docs_page, headers={"Cache-Control": "no-cache"})

    favicon = ROOT / UI_DIRS["ui"] / "favicon.svg"

    @app.get("/favicon.ico", include_in_schema=False, dependencies=OPEN_ROUTE)
    def favicon_ico() -> FileResponse:
        # Browsers ask for it whatever the page says (a kiosk's console logged the 404).
        return FileResponse(
            favicon, media_type="image/svg+xml", headers={"Cache-Control": "max-age=86400"}
        )

    customer_page = ROOT / UI_DIRS["customer"] / "index.html"

    @app.get("/t/{token}", include_in_schema=False, dependencies=OPEN_ROUTE)
    def customer(token: str) -> FileResponse:
        # The token is read by the page's script from the URL; the HTML is the same for all.
        if not customer_page.is_file():
            raise HTTPException(status_code=404, detail="the customer page is not installed")
        return FileResponse(customer_page, headers={"Cache-Control": "no-cache"})

    for mount, folder in UI_DIRS.items():
        path = ROOT / folder
        if path.is_dir() and any(path.iterdir()):
            app.mount(f"/{mount}", StaticFiles(directory=path, html=True), name=mount)
    return app
