"""The local SQLite store: the desktop app's source of truth while it runs."""
