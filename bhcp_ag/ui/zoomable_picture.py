"""A picture that fits its room, zooms in and out, and pans by dragging when it is larger.

:class:`ZoomablePicture` is the large view of an attached photo or a PDF's page: at first
the whole picture fits the room it is given (never enlarged beyond its own size); zoomed
(:meth:`~ZoomablePicture.zoom_in`, Ctrl and the mouse wheel) it grows about the point
under the mouse, and the hand drags it about, or the scroll bars move it. A dermatologist
zooms in on a lesion's border; :meth:`~ZoomablePicture.fit` shows the whole photo again.
"""

from __future__ import annotations

from PySide6.QtCore import QRectF, QSize, Qt, Signal
from PySide6.QtGui import QImage, QPainter, QPixmap, QResizeEvent, QWheelEvent
from PySide6.QtWidgets import (
    QFrame,
    QGraphicsPixmapItem,
    QGraphicsScene,
    QGraphicsView,
    QSizePolicy,
    QWidget,
)

ZOOM_STEP = 1.25
MOST_ZOOM = 16.0
"""At most 16 times the picture's own size: a pixel 16 screen pixels wide is enough."""
LEAST_ZOOM = 0.05


class ZoomablePicture(QGraphicsView):
    """One picture, fitted at first; ``zoom_changed`` carries the new scale (1.0: the
    picture's own size)."""

    zoom_changed = Signal(float)

    def __init__(self, image: QImage | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.image = image if image is not None and not image.isNull() else None
        self._fitting = True
        self._scene = QGraphicsScene(self)
        self.setScene(self._scene)
        if self.image is not None:
            item = QGraphicsPixmapItem(QPixmap.fromImage(self.image))
            item.setTransformationMode(Qt.TransformationMode.SmoothTransformation)
            self._scene.addItem(item)
            self._scene.setSceneRect(QRectF(self.image.rect()))
        self.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.setResizeAnchor(QGraphicsView.ViewportAnchor.AnchorViewCenter)
        self.setDragMode(QGraphicsView.DragMode.ScrollHandDrag)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setMinimumSize(200, 200)
        # Ignored: the picture takes the room the dialog has, it does not set it.
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Ignored)
        self._show_scroll_bars(False)

    # --- how large ----------------------------------------------------------------------

    @property
    def fitting(self) -> bool:
        """Whether the whole picture is fitted to the room (and kept so as it changes)."""
        return self._fitting

    def scale_factor(self) -> float:
        return self.transform().m11()

    def shown_size(self) -> QSize:
        """The size the picture is drawn at (empty when there is no picture)."""
        if self.image is None:
            return QSize()
        factor = self.scale_factor()
        return QSize(round(self.image.width() * factor), round(self.image.height() * factor))

    def fit(self) -> None:
        """The whole picture in the room, no larger than its own size."""
        self._fitting = True
        self._show_scroll_bars(False)  # none needed, and none to take room from the fit
        if self.image is not None:
            room = self.viewport().size()
            factor = min(
                room.width() / self.image.width(), room.height() / self.image.height(), 1.0
            )
            self._set_scale(factor)

    def actual_size(self) -> None:
        """The picture at its own size, one picture pixel to one screen pixel."""
        self._zoom_to(1.0)

    def zoom_in(self) -> None:
        self._zoom_to(self.scale_factor() * ZOOM_STEP)

    def zoom_out(self) -> None:
        self._zoom_to(self.scale_factor() / ZOOM_STEP)

    def _zoom_to(self, factor: float) -> None:
        if self.image is None:
            return
        self._fitting = False
        self._show_scroll_bars(True)
        self._set_scale(max(LEAST_ZOOM, min(MOST_ZOOM, factor)))

    def _set_scale(self, factor: float) -> None:
        self.resetTransform()
        self.scale(factor, factor)
        self.zoom_changed.emit(factor)

    def _show_scroll_bars(self, shown: bool) -> None:
        policy = (
            Qt.ScrollBarPolicy.ScrollBarAsNeeded if shown else Qt.ScrollBarPolicy.ScrollBarAlwaysOff
        )
        self.setHorizontalScrollBarPolicy(policy)
        self.setVerticalScrollBarPolicy(policy)

    # --- events -------------------------------------------------------------------------

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if self._fitting:
            self.fit()

    def wheelEvent(self, event: QWheelEvent) -> None:
        """Ctrl and the wheel zoom about the mouse; the wheel alone scrolls."""
        if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            steps = event.angleDelta().y() / 120
            if steps:
                self._zoom_to(self.scale_factor() * ZOOM_STEP**steps)
            event.accept()
        else:
            super().wheelEvent(event)
