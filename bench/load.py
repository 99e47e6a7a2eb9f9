"""Sira load benchmark: ticket issuing, call-next, call-to-display latency, server memory.

Run from the repository root: ``.venv/bin/python -m bench.load`` (``--help`` for sizes).
Starts its own server on SQLite in a temp dir, prints a table of figures against targets
and writes them to ``bench/results/latest.json``.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import hashlib
import json
import os
import platform
import shlex
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import aiohttp
import websockets

if __package__ in (None, ""):  # run as a script: make ``bench`` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.phases import ServerStalled, issue_phase, queue_phases

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "latest.json"


def out(line: str = "") -> None:
    """Print one line of the report."""
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Benchmark sizes; the defaults are the reference run."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--kiosks", type=int, default=50, help="concurrent kiosks issuing tickets")
    p.add_argument("--tickets", type=int, default=5000, help="tickets to issue at most")
    p.add_argument("--issue-time-limit", type=float, default=20.0, help="seconds, issue phase")
    p.add_argument("--tellers", type=int, default=8, help="concurrent tellers calling next")
    p.add_argument("--calls-per-teller", type=int, default=100, help="call-next presses each")
    p.add_argument("--call-time-limit", type=float, default=60.0, help="seconds, call phase")
    p.add_argument(
        "--spare-tickets",
        type=int,
        default=200,
        help="tickets still waiting after every call (queue depth = calls + this)",
    )
    p.add_argument("--sockets", type=int, default=200, help="display WebSocket connections")
    p.add_argument("--ws-processes", type=int, default=2, help="processes holding the sockets")
    p.add_argument("--display-calls", type=int, default=200, help="sequential calls displayed")
    p.add_argument("--pause-ms", type=float, default=50.0, help="pause between those calls")
    return p.parse_args(argv)


def run(args: argparse.Namespace) -> dict[str, Any]:
    """Both phase groups; a server that wedges ends only its own group."""
    figures: dict[str, Any] = {}
    for group, dump in ((issue_phase, "issue"), (queue_phases, "queue")):
        with contextlib.suppress(ServerStalled):
            group(args, figures, RESULTS.with_name(f"stall-dump-{dump}.txt"))
    return figures


def _get(figures: dict[str, Any], *path: str) -> float | None:
    node: Any = figures
    for key in path:
        if not isinstance(node, dict) or key not in node:
            return None
        node = node[key]
    return float(node)


# (figure, path in the figures, target or None for information only, target met)
TARGETS: list[tuple[str, tuple[str, ...], str | None, Callable[[float], bool] | None]] = [
    ("issue throughput (tickets/s)", ("issue", "per_s"), ">= 1000", lambda v: v >= 1000),
    ("issue p99 (ms)", ("issue", "p99_ms"), "< 50", lambda v: 0 < v < 50),
    (
        "call-to-display p99 (ms)",
        ("call_to_display", "from_response", "p99_ms"),
        "< 20",
        lambda v: v < 20,
    ),
    ("server RSS with sockets (MB)", ("memory_mb", "VmRSS"), "< 200", lambda v: v < 200),
    ("issue p50 (ms)", ("issue", "p50_ms"), None, None),
    ("call-next p50 (ms)", ("call_next", "p50_ms"), None, None),
    ("call-next p99 (ms)", ("call_next", "p99_ms"), None, None),
    ("call-next duplicate ids", ("call_next", "duplicate_ids"), "0", lambda v: v == 0),
    ("display p99 from request (ms)", ("call_to_display", "from_request", "p99_ms"), None, None),
]


def targets(figures: dict[str, Any]) -> list[tuple[str, float | None, str | None, bool | None]]:
    """(name, measured or None when the phase did not run, target, met or None) rows."""
    rows = []
    for name, path, target, ok in TARGETS:
        value = _get(figures, *path)
        met = None if ok is None else (value is not None and ok(value))
        rows.append((name, value, target, met))
    return rows


def _detail(figures: dict[str, Any]) -> None:
    if issue := figures.get("issue"):
        out(
            f"issue      {issue['ok']} tickets in {issue['wall_s']} s = {issue['per_s']}/s; "
            f"p50 {issue['p50_ms']} p99 {issue['p99_ms']} max {issue['max_ms']} ms; "
            f"errors {issue['errors'] or 0}; CPU server {issue['server_cpu_pct']}% "
            f"client {issue['client_cpu_pct']}%"
        )
    if call := figures.get("call_next"):
        out(
            f"call-next  {call['ok']} calls in {call['wall_s']} s = {call['per_s']}/s "
            f"({call['waiting_at_start']} waiting at the start); "
            f"p50 {call['p50_ms']} p99 {call['p99_ms']} max {call['max_ms']} ms; "
            f"204s {call['empty_204']}; errors {call['errors'] or 0}; CPU server "
            f"{call['server_cpu_pct']}%"
        )
        out(
            f"           ticket ids returned twice: {call['duplicate_ids']} "
            f"({'OK' if call['duplicate_ids'] == 0 else 'FAIL'})"
        )
    if disp := figures.get("call_to_display"):
        resp, req = disp["from_response"], disp["from_request"]
        out(
            f"display    {disp['deliveries']}/{disp['expected_deliveries']} deliveries "
            f"({disp['calls']} calls x {disp['sockets']} sockets); from call-next response: "
            f"p50 {resp['p50_ms']} p99 {resp['p99_ms']} max {resp['max_ms']} ms "
            f"({disp['before_http_response']} arrived before the response)"
        )
        out(
            f"           snapshot {disp['snapshot_bytes']} bytes with "
            f"{disp['waiting_at_connect']} waiting"
        )
        out(
            f"           from call-next request: p50 {req['p50_ms']} p99 {req['p99_ms']} "
            f"max {req['max_ms']} ms; errors {disp['errors'] or 0}; CPU server "
            f"{disp['server_cpu_pct']}%"
        )
    if mem := figures.get("memory_mb"):
        out(
            f"memory     RSS {mem.get('VmRSS')} MB, peak {mem.get('VmHWM')} MB; RSS over the "
            f"run: {figures['rss_timeline_mb']}"
        )
    for stalled in figures.get("server_stalled", []):
        out(
            f"STALLED    the server stopped answering /healthz after the "
            f"{stalled['after_phase']} phase; its later phases were skipped. Stack dump: "
            f"{stalled.get('stack_dump', 'install py-spy for one')}"
        )


def report(figures: dict[str, Any], meta: dict[str, Any]) -> None:
    """Print the detail and the table of figures against targets."""
    out()
    out(f"machine : {meta['nproc']} CPUs, Python {meta['python']}, {meta['platform']}")
    out(f"server  : git {meta['git']}")
    out(f"command : {meta['command']}")
    out(f"client  : {meta['client']}")
    out()
    _detail(figures)
    out()
    out(f"{'figure':<32}{'measured':>12}  {'target':<10}result")
    out("-" * 62)
    for name, value, target, met in targets(figures):
        shown = "not run" if value is None else f"{value:g}"
        verdict = "" if met is None else ("PASS" if met else "FAIL")
        out(f"{name:<32}{shown:>12}  {target or '-':<10}{verdict}")


def git_revision() -> str:
    """HEAD's short hash, plus ``+dirty.<hash of the diff>`` when server/ has uncommitted
    changes (so two runs on different uncommitted trees tell apart)."""

    def git(*argv: str) -> str:
        done = subprocess.run(
            ["git", *argv], cwd=ROOT, capture_output=True, text=True, timeout=10, check=False
        )
        return done.stdout.strip()

    head = git("rev-parse", "--short", "HEAD") or "unknown"
    diff = git("diff", "HEAD", "--", "server")
    return head + (f"+dirty.{hashlib.sha1(diff.encode()).hexdigest()[:8]}" if diff else "")


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark, print the report, write the JSON; exit 1 when a target is missed."""
    args = parse_args(argv)
    meta = {
        "when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "nproc": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "git": git_revision(),
        "command": shlex.join(
            [
                sys.executable,
                *(["-m", "bench.load"] if __package__ else sys.argv[:1]),
                *sys.argv[1:],
            ]
        ),
        "client": (
            f"HTTP: one asyncio process, aiohttp {aiohttp.__version__} with keep-alive; "
            f"displays: {args.ws_processes} processes, websockets "
            f"{websockets.__version__}"
        ),
        "args": vars(args),
    }
    figures = run(args)
    report(figures, meta)
    rows = targets(figures)
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(
        json.dumps(
            {
                "meta": meta,
                "figures": figures,
                "targets": [
                    {"figure": n, "measured": v, "target": t, "met": m} for n, v, t, m in rows
                ],
            },
            indent=2,
        )
        + "\n"
    )
    out(f"\nwritten to {RESULTS}")
    return 0 if all(met for *_, met in rows if met is not None) else 1


if __name__ == "__main__":
    sys.exit(main())
