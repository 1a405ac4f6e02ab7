"""The desktop app as ``python main.py`` runs it, that prints when its list first paints
rows and then leaves at once (for ``bench_cold_start.py``).

Run: ``python _cold_start_child.py START [app arguments]``, START being ``time.time()``
taken by the parent just before it started this process, so the figure includes the
interpreter's own start. The only change to the app: an event filter on the Qt
application, installed as the app makes it, watching for the main window's conversation
list to paint with rows in it.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

START = float(sys.argv[1])
sys.argv = ["main.py", *sys.argv[2:]]
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bhcp_ag import app as desk  # noqa: E402 - after the path; timed as the app's own import

_made = desk._application


def _watched_application():  # type: ignore[no-untyped-def]
    from PySide6.QtCore import QEvent, QObject
    from PySide6.QtWidgets import QAbstractItemView

    application = _made()

    class FirstRows(QObject):
        def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
            if event.type() == QEvent.Type.Paint:
                view = watched.parent()
                model = view.model() if isinstance(view, QAbstractItemView) else None
                is_list = type(model).__name__ == "ConversationTableModel"
                if model is not None and is_list and model.rowCount() > 0:
                    print(f"painted {time.time() - START:.4f} {model.rowCount()}", flush=True)
                    os._exit(0)
            return False

    watch = FirstRows(application)
    application.installEventFilter(watch)
    application._first_rows = watch  # kept alive with the application
    return application


desk._application = _watched_application

from bhcp_ag.cli import main  # noqa: E402

raise SystemExit(main())
