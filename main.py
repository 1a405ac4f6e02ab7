"""Run the desktop app from a checkout: ``python main.py`` does what ``bhcp-ag`` does."""

from bhcp_ag.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
