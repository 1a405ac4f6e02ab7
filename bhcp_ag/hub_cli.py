"""``bhcp-ag-hub``: the hub's command line.

PLACEHOLDER: the hub (FastAPI on uvicorn, sync, sign-in, audit) is built by the hub and
sync issue. Until then this command only says so and exits with status 2.
"""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    print(
        "bhcp-ag-hub is not built yet: the hub arrives with the 'hub and sync' issue.\n"
        "The desktop app works on its own local store meanwhile: run `bhcp-ag`.",
        file=sys.stderr,
    )
    return 2


if __name__ == "__main__":
    raise SystemExit(main())
