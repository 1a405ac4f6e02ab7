"""The conversation's states, transitions, priorities and the referral-avoided rule."""

from __future__ import annotations

import itertools

import pytest

from bhcp_ag.domain.conversation import (
    REFERRAL_REASON_NEEDED,
    TERMINAL_STATUSES,
    TWO_WEEK_WAIT_REFUSAL,
    ClosingOutcome,
    ConvertAuthorisation,
    Priority,
    Role,
    SpecialistOutcome,
    Status,
    TransitionRefused,
    WouldHaveReferred,
    allowed_targets,
    check_closing,
    check_priority,
    check_transition,
    gp_action_needed,
    referral_avoided,
    referral_to_make,
    status_after_response,
)

S = Status
# The full table of allowed moves and who may make them, written out by hand.
ALLOWED: dict[tuple[Status, Status], set[Role]] = {
    (S.DRAFT, S.SUBMITTED): {Role.GP},
    (S.DRAFT, S.CANCELLED): {Role.GP},
    (S.SUBMITTED, S.AWAITING_SPECIALIST): {Role.SYSTEM},
    (S.SUBMITTED, S.CANCELLED): {Role.GP, Role.ADMIN},
    (S.AWAITING_SPECIALIST, S.ADVICE_RETURNED): {Role.SPECIALIST},
    (S.AWAITING_SPECIALIST, S.MORE_INFO_REQUESTED): {Role.SPECIALIST},
    (S.AWAITING_SPECIALIST, S.CONVERTED): {Role.SPECIALIST},
    (S.AWAITING_SPECIALIST, S.CANCELLED): {Role.GP, Role.ADMIN},
    (S.MORE_INFO_REQUESTED, S.AWAITING_SPECIALIST): {Role.GP},
    (S.MORE_INFO_REQUESTED, S.CLOSED): {Role.GP},
    (S.MORE_INFO_REQUESTED, S.CANCELLED): {Role.GP, Role.ADMIN},
    (S.ADVICE_RETURNED, S.AWAITING_SPECIALIST): {Role.GP},
    (S.ADVICE_RETURNED, S.CLOSED): {Role.GP},
}

ALL_MOVES = [
    (source, target, role) for source, target in itertools.product(Status, Status) for role in Role
]


@pytest.mark.parametrize(("source", "target", "role"), ALL_MOVES)
def test_every_move_is_allowed_or_refused_as_the_table_says(
    source: Status, target: Status, role: Role
) -> None:
    allowed = role in ALLOWED.get((source, target), set())
    auth = ConvertAuthorisation.AUTHORISED_TO_CONVERT
    if allowed:
        transition = check_transition(source, target, role, authorisation=auth)
        assert transition.description
    else:
        with pytest.raises(TransitionRefused):
            check_transition(source, target, role, authorisation=auth)


def test_refusal_says_who_may_make_the_move() -> None:
    with pytest.raises(TransitionRefused, match="Only Specialist can move"):
        check_transition(S.AWAITING_SPECIALIST, S.ADVICE_RETURNED, Role.GP)


def test_refusal_of_an_impossible_move_names_both_states() -> None:
    with pytest.raises(TransitionRefused, match="'Closed' cannot become 'Awaiting specialist'"):
        check_transition(S.CLOSED, S.AWAITING_SPECIALIST, Role.GP)


@pytest.mark.parametrize("authorisation", [None, ConvertAuthorisation.NOT_AUTHORISED_TO_CONVERT])
def test_conversion_needs_the_gps_authorisation(
    authorisation: ConvertAuthorisation | None,
) -> None:
    with pytest.raises(TransitionRefused, match="did not authorise"):
        check_transition(
            S.AWAITING_SPECIALIST, S.CONVERTED, Role.SPECIALIST, authorisation=authorisation
        )


def test_terminal_states_allow_nothing() -> None:
    for status in TERMINAL_STATUSES:
        assert not status.is_open
        assert status.next_action_by is None
        for role in Role:
            assert allowed_targets(status, role) == []


def test_allowed_targets_for_a_specialist_awaiting() -> None:
    assert set(allowed_targets(S.AWAITING_SPECIALIST, Role.SPECIALIST)) == {
        S.ADVICE_RETURNED,
        S.MORE_INFO_REQUESTED,
        S.CONVERTED,
    }


def test_national_codes_match_the_e_rs_request_statuses() -> None:
    assert S.AWAITING_SPECIALIST.national_code == "PROVIDER_RESPONSE_REQUIRED"
    assert S.MORE_INFO_REQUESTED.national_code == "REFERRER_TO_SUBMIT_FURTHER_INFORMATION"
    assert S.ADVICE_RETURNED.national_code == "REFERRER_TO_REVIEW_RESPONSE"
    assert S.CLOSED.national_code == "CONVERSATION_ENDED_CLOSED"
    assert S.CONVERTED.national_code == "ADVICE_CONVERTED"
    assert S.CANCELLED.national_code == "CONVERSATION_ENDED_CANCELLED"
    assert S.DRAFT.national_code is None


def test_specialist_outcomes_lead_to_their_states() -> None:
    assert status_after_response(SpecialistOutcome.RETURN_TO_REFERRER_WITH_ADVICE) == (
        S.ADVICE_RETURNED
    )
    assert status_after_response(SpecialistOutcome.REQUIRE_FURTHER_INFORMATION) == (
        S.MORE_INFO_REQUESTED
    )
    assert status_after_response(SpecialistOutcome.PROVIDER_CONVERTED) == S.CONVERTED


def test_two_week_wait_is_refused_with_the_cancer_pathway_reason() -> None:
    with pytest.raises(TransitionRefused) as refused:
        check_priority(Priority.TWO_WEEK_WAIT)
    assert str(refused.value) == TWO_WEEK_WAIT_REFUSAL
    assert "two-week-wait" in TWO_WEEK_WAIT_REFUSAL
    assert check_priority("URGENT") is Priority.URGENT
    with pytest.raises(ValueError):
        check_priority("SOON")


W, C = WouldHaveReferred, ClosingOutcome


@pytest.mark.parametrize(
    ("would", "status", "outcome", "avoided"),
    [
        (W.YES, S.CLOSED, C.MANAGED_IN_PRIMARY_CARE, True),
        (W.YES, S.CLOSED, C.AWAITING_TESTS, True),
        (W.YES, S.CLOSED, C.REFERRED, False),
        (W.YES, S.CONVERTED, None, False),
        (W.YES, S.CANCELLED, None, False),
        (W.YES, S.ADVICE_RETURNED, None, False),
        (W.NO, S.CLOSED, C.MANAGED_IN_PRIMARY_CARE, False),
        (W.UNSURE, S.CLOSED, C.MANAGED_IN_PRIMARY_CARE, False),
        (None, S.CLOSED, C.MANAGED_IN_PRIMARY_CARE, False),
        ("yes", "closed", "managed_in_primary_care", True),
    ],
)
def test_referral_avoided(
    would: WouldHaveReferred | None,
    status: Status,
    outcome: ClosingOutcome | None,
    avoided: bool,
) -> None:
    assert referral_avoided(would, status, outcome) is avoided


def test_a_recommended_referral_not_made_needs_the_gps_reason() -> None:
    """H11: the GP must act on a recommended referral: refer, or say why not."""
    referral = "REFERRAL_RECOMMENDED"
    assert referral_to_make("advice_returned", referral)
    assert not referral_to_make("closed", referral)  # acted on: closed with what was done
    assert not referral_to_make("more_info_requested", referral)
    assert not referral_to_make("advice_returned", "ADVICE_FOLLOWED_BY_REFERRAL_IF_REQUIRED")
    check_closing(referral, ClosingOutcome.REFERRED, "")
    check_closing("ADVICE_ONLY_NO_REFERRAL_RECOMMENDED", ClosingOutcome.MANAGED_IN_PRIMARY_CARE, "")
    for outcome in (ClosingOutcome.MANAGED_IN_PRIMARY_CARE, ClosingOutcome.AWAITING_TESTS):
        with pytest.raises(TransitionRefused) as refused:
            check_closing(referral, outcome, "  \n")
        assert str(refused.value) == REFERRAL_REASON_NEEDED
        check_closing(referral, outcome, "Patient declined referral; reviewed in 2 weeks.")


def test_what_waits_for_the_gp_is_action_needed() -> None:
    """H28 and H11: a question to answer or a referral to make waits for the GP."""
    assert gp_action_needed("more_info_requested", None)
    assert gp_action_needed("advice_returned", "REFERRAL_RECOMMENDED")
    assert not gp_action_needed("advice_returned", "ADVICE_ONLY_NO_REFERRAL_RECOMMENDED")
    assert not gp_action_needed("awaiting_specialist", "REFERRAL_RECOMMENDED")
    assert not gp_action_needed("closed", "REFERRAL_RECOMMENDED")
