"""The order of a report's groups: the clinic's order where there is one."""

from __future__ import annotations

from bhcp_ag.domain.reports import NOT_RECORDED, Dimension


def test_age_bands_run_youngest_first_and_unrecorded_last() -> None:
    labels = [NOT_RECORDED, "80+", "5-17", "40-64", "0-4", "18-39", "65-79"]
    ordered = sorted(labels, key=Dimension.AGE_BAND.sort_key)
    assert ordered == ["0-4", "5-17", "18-39", "40-64", "65-79", "80+", NOT_RECORDED]


def test_priorities_run_from_routine_to_two_week_wait() -> None:
    labels = ["TWO_WEEK_WAIT", "URGENT", "ROUTINE"]
    assert sorted(labels, key=Dimension.PRIORITY.sort_key) == ["ROUTINE", "URGENT", "TWO_WEEK_WAIT"]


def test_other_groups_go_by_their_labels_with_unrecorded_last() -> None:
    labels = ["Not recorded", "male", "female", "unknown"]
    assert sorted(labels, key=Dimension.SEX.sort_key) == ["female", "male", "unknown", NOT_RECORDED]


def test_a_dimension_in_a_sentence_keeps_an_acronym_capital() -> None:
    assert f"by {Dimension.ICC.in_sentence}" == "by ICC"
    assert f"by {Dimension.AGE_BAND.in_sentence}" == "by age band"
