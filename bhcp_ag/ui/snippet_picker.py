"""A specialist's saved wordings: insert one, save the text as one, delete one.

A combo box lists the snippets by title ("Insert a snippet…" first, "Delete a
snippet…" last); choosing one emits ``chosen`` with its words for the composer to
insert. "Save as snippet…" asks for a title and keeps the composer's selected text (or
all of it), which the composer provides through :attr:`SnippetPicker.text_to_save`.
Snippets live in the local store (:class:`~bhcp_ag.services.composer.Composer`).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QInputDialog, QPushButton, QWidget

from bhcp_ag.services.composer import Composer, SnippetRefused

INSERT = "Insert a snippet…"
DELETE = "Delete a snippet…"


class SnippetPicker(QWidget):
    """The snippets combo box and the "Save as snippet…" button."""

    chosen = Signal(str)
    """The words of the snippet chosen, to insert."""
    problem = Signal(str)
    """Why a snippet could not be saved."""

    def __init__(self, composer: Composer, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._composer = composer
        self.text_to_save: Callable[[], str] = lambda: ""
        self.combo = QComboBox()
        self.combo.setAccessibleName("Insert a saved snippet")
        self.save_button = QPushButton("Save as snippet…")
        self.save_button.setAccessibleName("Save the text as a snippet")
        self.save_button.setAutoDefault(False)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.combo, 1)
        layout.addWidget(self.save_button)
        self.combo.activated.connect(self._activated)
        self.save_button.clicked.connect(self._save_clicked)
        self.fill()

    def fill(self) -> None:
        self.combo.clear()
        self.combo.addItem(INSERT, None)
        saved = self._composer.snippets()
        for snippet in saved:
            self.combo.addItem(snippet.title, snippet.body)
        if saved:
            self.combo.insertSeparator(self.combo.count())
            self.combo.addItem(DELETE, DELETE)

    def titles(self) -> list[str]:
        return [snippet.title for snippet in self._composer.snippets()]

    def choose(self, title: str) -> None:
        """Choose the snippet called ``title``, as picking it from the list does."""
        self._activated(self.combo.findText(title))

    def add(self, title: str, body: str) -> bool:
        """Keep ``body`` as a snippet called ``title``; False (and ``problem``) if refused."""
        try:
            self._composer.add_snippet(title, body)
        except SnippetRefused as refused:
            self.problem.emit(str(refused))
            return False
        self.fill()
        return True

    def delete(self, title: str) -> None:
        for snippet in self._composer.snippets():
            if snippet.title == title:
                self._composer.delete_snippet(snippet.id)
                break
        self.fill()

    def _activated(self, index: int) -> None:
        body = self.combo.itemData(index)
        self.combo.setCurrentIndex(0)
        if body == DELETE:
            self._ask_which_to_delete()
        elif body:
            self.chosen.emit(body)

    def _ask_which_to_delete(self) -> None:
        titles = self.titles()
        title, ok = QInputDialog.getItem(
            self, "Delete a snippet", "Snippet to delete:", titles, 0, False
        )
        if ok and title in titles:
            self.delete(title)

    def _save_clicked(self) -> None:
        title, ok = QInputDialog.getText(self, "Save as snippet", "Title of the snippet:")
        if ok:
            self.add(title, self.text_to_save())
