"""The filter bar: each choice narrows the user's scope; claims; the overdue badge."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import QSettings, Qt
from pytestqt.qtbot import QtBot

from bhcp_ag.domain.conversation import Role
from bhcp_ag.domain.specialties import SpecialtyCatalogue
from bhcp_ag.store.conversations import ConversationFilter
from bhcp_ag.ui.conversation_model import OVERDUE_STATUSES
from bhcp_ag.ui.filter_bar import OPEN_STATUSES, ClaimChoice, FilterBar

GP_SCOPE = ConversationFilter(practice_code="BAY001")
SPECIALIST_SCOPE = ConversationFilter(specialty_codes=("330", "410"))
ME = "specialist-id"


def make_bar(
    qtbot: QtBot,
    catalogue: SpecialtyCatalogue,
    now: datetime,
    scope: ConversationFilter = GP_SCOPE,
    **kwargs: object,
) -> FilterBar:
    bar = FilterBar(catalogue, scope, lambda: now, **kwargs)  # type: ignore[arg-type]
    qtbot.addWidget(bar)
    bar.show()
    return bar


def test_the_old_signature_gives_a_gps_bar(
    qtbot: QtBot, catalogue: SpecialtyCatalogue, now: datetime
) -> None:
    bar = make_bar(qtbot, catalogue, now)
    assert bar.status.currentText() == "All"
    assert not bar.claim.isVisible()
    assert bar.conversation_filter() == GP_SCOPE
    assert not bar.overdue_badge.isVisible()


def test_a_specialist_starts_on_open_conversations_with_a_claim_filter(
    qtbot: QtBot, catalogue: SpecialtyCatalogue, now: datetime
) -> None:
    bar = make_bar(qtbot, catalogue, now, SPECIALIST_SCOPE, role=Role.SPECIALIST, user_id=ME)
    assert bar.status.currentText() == "Open"
    assert bar.claim.isVisible()
    assert [bar.claim.itemText(i) for i in range(bar.claim.count())] == [
        "All",
        "Unclaimed",
        "Claimed by me",
    ]
    flt = bar.conversation_filter()
    assert flt.statuses == OPEN_STATUSES
    assert (flt.claimed_by_id, flt.unclaimed_only) == (None, False)
    assert flt.specialty_codes == SPECIALIST_SCOPE.specialty_codes


def test_the_claim_filter_narrows_to_unclaimed_or_mine(
    qtbot: QtBot, catalogue: SpecialtyCatalogue, now: datetime
) -> None:
    bar = make_bar(qtbot, catalogue, now, SPECIALIST_SCOPE, role=Role.SPECIALIST, user_id=ME)
    with qtbot.waitSignal(bar.changed):
        bar.claim.setCurrentIndex(bar.claim.findData(ClaimChoice.UNCLAIMED.value))
    assert bar.conversation_filter().unclaimed_only
    assert bar.conversation_filter().claimed_by_id is None
    with qtbot.waitSignal(bar.changed):
        bar.claim.setCurrentIndex(bar.claim.findData(ClaimChoice.MINE.value))
    assert bar.conversation_filter().claimed_by_id == ME
    assert not bar.conversation_filter().unclaimed_only


def test_without_a_user_id_there_is_no_claimed_by_me(
    qtbot: QtBot, catalogue: SpecialtyCatalogue, now: datetime
) -> None:
    bar = make_bar(qtbot, catalogue, now, SPECIALIST_SCOPE, role=Role.SPECIALIST)
    assert bar.claim.findData(ClaimChoice.MINE.value) == -1


def test_overdue_only_keeps_the_statuses_that_can_be_late(
    qtbot: QtBot, catalogue: SpecialtyCatalogue, now: datetime
) -> None:
    bar = make_bar(qtbot, catalogue, now, SPECIALIST_SCOPE, role=Role.SPECIALIST, user_id=ME)
    bar.overdue.setChecked(True)
    flt = bar.conversation_filter()
    assert set(flt.statuses) == set(OVERDUE_STATUSES) & set(OPEN_STATUSES)
    assert flt.overdue_at == now


def test_the_badge_counts_overdue_and_a_click_toggles_overdue_only(
    qtbot: QtBot, catalogue: SpecialtyCatalogue, now: datetime
) -> None:
    bar = make_bar(qtbot, catalogue, now)
    bar.set_overdue_count(3)
    badge = bar.overdue_badge
    assert badge.isVisible() and badge.text() == "3 overdue"
    assert bar.overdue_count == 3
    assert "3 requests are past the due time" in badge.toolTip()
    assert badge.accessibleName().startswith("3 overdue")
    with qtbot.waitSignal(bar.changed):
        qtbot.mouseClick(badge, Qt.MouseButton.LeftButton)
    assert bar.overdue.isChecked()
    assert bar.conversation_filter().overdue_at == now
    qtbot.mouseClick(badge, Qt.MouseButton.LeftButton)
    assert not bar.overdue.isChecked()
    bar.set_overdue_count(1)
    assert "1 request is past" in badge.toolTip()
    bar.set_overdue_count(0)
    assert not badge.isVisible() and bar.overdue_count == 0


def test_choices_are_saved_and_restored_without_the_search_text(
    qtbot: QtBot, catalogue: SpecialtyCatalogue, now: datetime, settings: QSettings
) -> None:
    first = make_bar(qtbot, catalogue, now, SPECIALIST_SCOPE, role=Role.SPECIALIST, user_id=ME)
    first.status.setCurrentIndex(first.status.findText("All"))
    first.specialty.setCurrentIndex(first.specialty.findData("330"))
    first.claim.setCurrentIndex(first.claim.findData(ClaimChoice.MINE.value))
    first.overdue.setChecked(True)
    first.search.setText("9990001234")
    first.save(settings)
    second = make_bar(qtbot, catalogue, now, SPECIALIST_SCOPE, role=Role.SPECIALIST, user_id=ME)
    with qtbot.assertNotEmitted(second.changed):
        second.restore(settings)
    flt = second.conversation_filter()
    assert second.status.currentText() == "All"
    assert flt.specialty_codes == ("330",)
    assert flt.claimed_by_id == ME
    assert flt.overdue_at == now
    assert flt.text == ""


def test_a_specialist_with_nothing_saved_restores_to_open(
    qtbot: QtBot, catalogue: SpecialtyCatalogue, now: datetime, settings: QSettings
) -> None:
    bar = make_bar(qtbot, catalogue, now, SPECIALIST_SCOPE, role=Role.SPECIALIST, user_id=ME)
    bar.restore(settings)
    assert bar.status.currentText() == "Open"
    assert bar.claim.currentData() == ClaimChoice.ALL.value


def test_the_search_waits_for_typing_to_stop(
    qtbot: QtBot, catalogue: SpecialtyCatalogue, now: datetime
) -> None:
    bar = make_bar(qtbot, catalogue, now)
    with qtbot.waitSignal(bar.changed):
        qtbot.keyClicks(bar.search, "psoriasis")
    assert bar.conversation_filter().text == "psoriasis"
