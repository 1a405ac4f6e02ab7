"""The desktop user interface (PySide6): the main window, the request form and their parts.

Only this package (and the app's composition root) imports Qt. Widgets get what they show
from the services of a :class:`~bhcp_ag.services.workspace.Workspace` handed in by the
composition root; nothing here opens a store or reads a global.
"""
