"""``sira-agent --server URL --token-file PATH``: run the device agent on a kiosk or counter PC."""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import sys
from pathlib import Path

from drivers.agent.client import Agent


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="sira-agent",
        description="Drive this PC's ticket printer, LED counter displays, keypads and speaker "
        "for a Sira server. The device's hardware is configured on the server.",
    )
    parser.add_argument("--server", required=True, help="the server's base URL, e.g. https://sira")
    parser.add_argument(
        "--token-file",
        required=True,
        type=Path,
        help="file holding the device token an admin created for this PC (keep it private)",
    )
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=Path("/var/lib/sira-agent"),
        help="where the agent keeps its print journal and audio cache",
    )
    parser.add_argument("--log-level", default="INFO")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    logging.basicConfig(
        level=args.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    try:
        token = args.token_file.read_text().strip()
    except OSError as exc:
        print(f"sira-agent: cannot read the token file: {exc}", file=sys.stderr)  # noqa: T201
        return 2
    if not token:
        print(f"sira-agent: the token file {args.token_file} is empty", file=sys.stderr)  # noqa: T201
        return 2
    agent = Agent(server=args.server, token=token, data_dir=args.data_dir)

    async def run() -> None:
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, agent.stop)
        await agent.run()

    asyncio.run(run())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
