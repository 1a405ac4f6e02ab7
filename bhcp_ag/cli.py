"""``bhcp-ag``: run the desktop app, or fill a store with demo data.

Plain argument parsing only; the Qt application is imported when it is needed, so
``bhcp-ag demo-data`` runs on a machine without a display.

``bhcp-ag`` (or ``bhcp-ag run``) signs in to the hub given by ``--hub URL`` (or
``BHCP_AG_HUB_URL``, or the ``hub/url`` setting); with none, it starts a demo hub on
this computer. ``--user NAME`` fills in the sign-in dialog's username.
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from datetime import date
from pathlib import Path

from bhcp_ag.paths import default_store_path

DEMO_DATA_CONVERSATIONS = 5_000


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="bhcp-ag", description="Advice and Guidance for Bay Health and Care Partners."
    )
    parser.add_argument(
        "-v",
        "--verbose",
        action="store_true",
        help="log what the app does (migrations, sync) to the terminal, not only warnings",
    )
    parser.add_argument("--store", type=Path, help="the local store file (default: user data)")
    parser.add_argument(
        "--hub",
        metavar="URL",
        help="the hub to sign in to (default: BHCP_AG_HUB_URL, the hub/url setting, or a "
        "demo hub started on this computer)",
    )
    commands = parser.add_subparsers(dest="command")
    run = commands.add_parser("run", help="open the desktop app (the default)")
    run.add_argument("--user", help="the username to sign in as (filled in for you)")
    demo = commands.add_parser("demo-data", help="fill a store with a demo Bay year")
    demo.add_argument("--conversations", type=int, default=DEMO_DATA_CONVERSATIONS)
    demo.add_argument("--seed", type=int, default=2017)
    demo.add_argument("--end", type=date.fromisoformat, help="last day (YYYY-MM-DD)")
    demo.add_argument("--replace", action="store_true", help="replace existing conversations")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    configure_logging(verbose=args.verbose)
    store_path: Path = args.store or default_store_path()
    if args.command == "demo-data":
        return _demo_data(store_path, args)
    from bhcp_ag.app import run_app  # Qt only when the window is wanted

    return run_app(store_path, hub_url=args.hub, username=getattr(args, "user", None))


def configure_logging(*, verbose: bool) -> None:
    """Warnings and errors only on a normal start (no wall of migration lines); more with -v."""
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s %(message)s",
    )


def _demo_data(store_path: Path, args: argparse.Namespace) -> int:
    from bhcp_ag.app import open_store_with_reference
    from bhcp_ag.store.demo import DemoDataRefused, generate_demo_data

    if args.conversations < 1:
        print("--conversations must be at least 1.", file=sys.stderr)
        return 2
    store = open_store_with_reference(store_path)
    started = time.perf_counter()
    try:
        summary = generate_demo_data(
            store,
            conversations=args.conversations,
            seed=args.seed,
            end=args.end,
            replace=args.replace,
        )
    except DemoDataRefused as error:
        print(f"{error}", file=sys.stderr)
        return 1
    finally:
        store.close()
    seconds = time.perf_counter() - started
    print(
        f"Wrote {summary.conversations:,} conversations and {summary.messages:,} messages "
        f"to {store_path} in {seconds:.1f} s."
    )
    return 0
