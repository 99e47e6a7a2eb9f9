"""The benchmark's phases, each group on a fresh server.

Ticket issuing runs on a server of its own. Call-next, call-to-display and memory share a
second server whose queue is first filled to a fixed depth, because call-next's cost and the
display snapshot's size both grow with the number of waiting tickets: a fixed depth keeps
those figures comparable from run to run (and independent of how fast issuing was).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from bench.display import measure_call_to_display
from bench.http_load import call_next_loop, issue_tickets, setup_tellers, throughput
from bench.server import ServerProcess
from bench.stats import summarize

T = TypeVar("T")
# Kiosks that fill the queue: well below the server's 40 worker threads (see the report).
SEED_KIOSKS = 8
SEED_TIME_LIMIT_S = 300.0


def log(line: str) -> None:
    """Progress on stderr, apart from the figures."""
    sys.stderr.write(line + "\n")


class ServerStalled(Exception):
    """The server stopped answering /healthz; the phases after this one cannot run."""


def timed_on_server(server: ServerProcess, phase: Callable[[], T]) -> tuple[T, float]:
    """Run ``phase``; also return the server's CPU use during it, in % of one core."""
    cpu0, wall0 = server.cpu_s(), time.perf_counter()
    result = phase()
    return result, round(100 * (server.cpu_s() - cpu0) / (time.perf_counter() - wall0), 1)


def check_alive(
    server: ServerProcess, phase: str, figures: dict[str, Any], dump_path: Path
) -> None:
    """Record a wedged server (with a stack dump when py-spy is there) and stop its phases."""
    if server.responsive():
        return
    stalled: dict[str, Any] = {"after_phase": phase}
    dump = server.stack_dump()
    if dump is not None:
        dump_path.parent.mkdir(exist_ok=True)
        dump_path.write_text(dump)
        stalled["stack_dump"] = str(dump_path)
    figures.setdefault("server_stalled", []).append(stalled)
    raise ServerStalled(phase)


def issue_phase(args: argparse.Namespace, figures: dict[str, Any], dump_path: Path) -> None:
    """[1/4] ``args.kiosks`` kiosks issue tickets on a fresh server."""
    with ServerProcess() as server:
        log(
            f"[1/4] issue: {args.kiosks} kiosks, up to {args.tickets} tickets or "
            f"{args.issue_time_limit:g} s (server pid {server.pid})"
        )
        issued, cpu = timed_on_server(
            server,
            lambda: asyncio.run(
                issue_tickets(
                    server.base_url,
                    server.credentials["devices"]["kiosk"],
                    kiosks=args.kiosks,
                    total=args.tickets,
                    time_limit_s=args.issue_time_limit,
                )
            ),
        )
        figures["issue"] = {
            **throughput(issued),
            "server_cpu_pct": cpu,
            **summarize(issued.latencies_ms),
        }
        check_alive(server, "issue", figures, dump_path)


def queue_phases(args: argparse.Namespace, figures: dict[str, Any], dump_path: Path) -> None:
    """[2/4]-[4/4] call-next, call-to-display and memory on a fresh server with a full queue."""
    calls = args.tellers * args.calls_per_teller
    depth = calls + args.display_calls + args.spare_tickets
    with ServerProcess() as server:
        creds = server.credentials
        rss = figures["rss_timeline_mb"] = {"start": round(server.rss_mb()["VmRSS"], 1)}
        log(f"      filling the queue of a second server (pid {server.pid}) to {depth} tickets")
        seeded = asyncio.run(
            issue_tickets(
                server.base_url,
                creds["devices"]["kiosk"],
                kiosks=SEED_KIOSKS,
                total=depth,
                time_limit_s=SEED_TIME_LIMIT_S,
            )
        )
        if len(seeded.latencies_ms) != depth:
            raise RuntimeError(
                f"filled the queue to {len(seeded.latencies_ms)} of {depth} "
                f"tickets (errors {seeded.errors})"
            )
        rss["queue_full"] = round(server.rss_mb()["VmRSS"], 1)

        log(f"[2/4] call-next: {args.tellers} tellers x {args.calls_per_teller} calls")
        tellers = asyncio.run(setup_tellers(server.base_url, creds["users"], args.tellers))
        called, cpu = timed_on_server(
            server,
            lambda: asyncio.run(
                call_next_loop(
                    server.base_url,
                    tellers,
                    calls_per_teller=args.calls_per_teller,
                    time_limit_s=args.call_time_limit,
                )
            ),
        )
        ids = called.ticket_ids
        figures["call_next"] = {
            **throughput(called),
            "waiting_at_start": depth,
            "server_cpu_pct": cpu,
            "empty_204": called.empty,
            "duplicate_ids": len(ids) - len(set(ids)),
            **summarize(called.latencies_ms),
        }
        check_alive(server, "call_next", figures, dump_path)
        rss["after_call_next"] = round(server.rss_mb()["VmRSS"], 1)

        # The caller serves every service, so each call finds someone while tickets wait.
        caller = max(tellers, key=lambda t: len(t.services))
        log(
            f"[3/4] call-to-display: {args.sockets} displays, {args.display_calls} calls "
            f"{args.pause_ms:g} ms apart"
        )
        display, cpu = timed_on_server(
            server,
            lambda: measure_call_to_display(
                base_url=server.base_url,
                ws_url=server.ws_url,
                token=creds["devices"]["display"],
                teller=caller,
                sockets=args.sockets,
                processes=args.ws_processes,
                calls=args.display_calls,
                pause_s=args.pause_ms / 1000,
                memory=server.rss_mb,
            ),
        )
        figures["call_to_display"] = {
            **display.summary(args.sockets),
            "waiting_at_connect": depth - len(ids),
            "server_cpu_pct": cpu,
        }

        log("[4/4] memory: sampled while every display socket was open")
        figures["memory_mb"] = {k: round(v, 1) for k, v in display.memory_mb.items()}
        rss["displays_connected"] = round(display.connected_rss_mb, 1)
        rss["after_display_calls"] = figures["memory_mb"].get("VmRSS", 0.0)
        rss["displays_closed"] = round(server.rss_mb()["VmRSS"], 1)
        check_alive(server, "call_to_display", figures, dump_path)
