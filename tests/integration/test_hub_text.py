"""No single change stops anyone's sync: every text field of every change kind, on the
real hub over HTTP, on SQLite and on PostgreSQL (issue 11, item 2).

Whatever text the hub accepts it stores, serves and syncs back exactly; what it cannot
(a lone surrogate, which PostgreSQL refuses and JSON cannot carry; a NUL) it refuses
at the door, as a final rejection naming the field. After every story, accepted or
not, the conversation reads back and every role in scope pulls with 200.

A story is a conversation's life in four pushes: the GP's request, the specialist's
question back, the GP's reply, the GP's cancel; the text under test goes in one field.
Text is sent as a desk sends it (``requests`` escapes it as JSON), so the hub sees
``json.loads(json.dumps(text))``: two surrogates that form a pair arrive as one
character and are fine.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass, field
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bhcp_ag.hub.demo_users import DEMO_ADMIN, DEMO_GP, DEMO_MANAGER, DEMO_SPECIALIST
from bhcp_ag.hub.models import Conversation
from bhcp_ag.hub.wire_types import unstorable
from tests.attachment_files import clean_png
from tests.integration.conftest import TEMPLATE_ANSWERS, Sync

PNG = clean_png()
PNG_SHA = hashlib.sha256(PNG).hexdigest()
ROLES = (DEMO_GP, DEMO_MANAGER, DEMO_SPECIALIST, DEMO_ADMIN)
STAGES = ("submit", "respond", "reply", "cancel")

# field under test -> (the stage carrying it, the name a rejection gives it)
FIELDS: dict[str, tuple[str, str]] = {
    "question": ("submit", "payload.question"),
    "clinical_summary": ("submit", "payload.clinical_summary"),
    "medication": ("submit", "payload.medication"),
    "results": ("submit", "payload.results"),
    "patient_sex": ("submit", "payload.patient_sex"),
    "priority": ("submit", "payload.priority"),
    "would_have_referred": ("submit", "payload.would_have_referred"),
    "answer_text": ("submit", "payload.template_answers.lesion_site"),
    "answer_choice": ("submit", "payload.template_answers.changes"),
    "answer_key": ("submit", "payload.template_answers."),
    "filename": ("submit", "payload.attachments.0.filename"),
    "respond.body": ("respond", "payload.body"),
    "reply.body": ("reply", "payload.body"),
    "cancel.reason": ("cancel", "payload.reason"),
}
UNSTORABLE = ["arm \ud83d", "\udfff", "left \ud83d shin \ude00", "a\x00b", "\x00"]
TRICKY_BUT_FINE = ["\ud83d\ude00", "😀 arm", "\u200b", "\ufeff", "\uffff", "\U0010ffff", "é"]


def as_sent(text: str) -> str:
    """The text as the hub reads it from a desk's JSON."""
    decoded: str = json.loads(json.dumps(text))
    return decoded


def _submit(field_name: str, text: str) -> dict[str, Any]:
    answers = dict(TEMPLATE_ANSWERS["330"])
    overrides: dict[str, Any] = {"template_answers": answers}
    if field_name == "answer_text":
        answers["lesion_site"] = text
    elif field_name == "answer_choice":
        answers["changes"] = [text]
    elif field_name == "answer_key":
        answers[text] = "x"
    elif field_name == "filename":
        overrides["attachments"] = [{"sha256": PNG_SHA, "filename": text}]
    elif FIELDS[field_name][0] == "submit":
        overrides[field_name] = text
    return Sync.request(**overrides)


@dataclass
class Story:
    """One conversation's four changes, with ``text`` in ``field_name``."""

    field_name: str
    text: str
    changes: dict[str, dict[str, Any]] = field(default_factory=dict)
    results: dict[str, dict[str, Any]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        submit = _submit(self.field_name, self.text)
        cid = submit["conversation_id"]

        def body(stage: str, usual: str) -> str:
            return self.text if self.field_name == stage else usual

        self.changes = {
            "submit": submit,
            "respond": Sync.change(
                "respond",
                cid,
                message_id=str(uuid.uuid4()),
                outcome="REQUIRE_FURTHER_INFORMATION",
                body=body("respond.body", "Please send a photo."),
            ),
            "reply": Sync.change(
                "reply", cid, message_id=str(uuid.uuid4()), body=body("reply.body", "Sent.")
            ),
            "cancel": Sync.change("cancel", cid, reason=body("cancel.reason", "Seen in clinic.")),
        }

    @property
    def conversation_id(self) -> str:
        return str(self.changes["submit"]["conversation_id"])


class StoryTeller:
    """Runs stories stage by stage (one push a stage for all of them) and checks reads."""

    def __init__(self, sync: Sync) -> None:
        self.sync = sync
        self.cursors = dict.fromkeys(ROLES, "")
        upload = sync.hub.request(
            "PUT",
            f"/api/v1/attachments/{PNG_SHA}",
            token=sync.hub.token(DEMO_GP),
            data=PNG,
            headers={"Content-Type": "image/png"},
        )
        assert upload.status_code in (200, 201), upload.text

    def tell(self, stories: list[Story]) -> None:
        for stage in STAGES:
            username = DEMO_SPECIALIST if stage == "respond" else DEMO_GP
            results = self.sync.push(username, *(story.changes[stage] for story in stories))
            for story, result in zip(stories, results, strict=True):
                story.results[stage] = result
        for story in stories:
            check_story(story)
        self.check_reads(stories)

    def check_reads(self, stories: list[Story]) -> None:
        """Each conversation reads back, and every role's pull answers 200."""
        for story in stories:
            read = self.sync.hub.request(
                "GET",
                f"/api/v1/conversations/{story.conversation_id}",
                token=self.sync.hub.token(DEMO_GP),
            )
            sent = story.results["submit"]["status"] == "applied"
            assert read.status_code == (200 if sent else 404), read.text
            if sent:
                check_served(story, read.json())
        for username in ROLES:
            _, self.cursors[username] = self.sync.pull(username, self.cursors[username])


def check_story(story: Story) -> None:
    stage, name = FIELDS[story.field_name]
    result = story.results[stage]
    assert result["status"] in ("applied", "rejected"), result  # never retry
    if unstorable(as_sent(story.text)) is not None:
        assert (result["status"], result["code"]) == ("rejected", "invalid_payload"), result
        assert f"'{name}" in result["reason"], result["reason"]
    for other in story.results.values():
        assert other["status"] in ("applied", "rejected"), other
        json.dumps(other).encode("utf-8")  # what came back can be stored and sent on


def check_served(story: Story, snapshot: dict[str, Any]) -> None:
    """What the hub accepted it serves back exactly as it arrived."""
    text = as_sent(story.text)
    served = {
        "question": snapshot["question"],
        "clinical_summary": snapshot["clinical_summary"],
        "medication": snapshot["medication"],
        "results": snapshot["results"],
        "patient_sex": snapshot["patient_sex"],
        "priority": snapshot["priority"],
        "would_have_referred": snapshot["would_have_referred"],
        "answer_text": snapshot["template_answers"].get("lesion_site"),
        "answer_choice": (snapshot["template_answers"].get("changes") or [None])[0],
    }  # a file name is stored without any folder in it, so it is not compared
    bodies = [m["body"] for m in snapshot["messages"]]
    stage = FIELDS[story.field_name][0]
    if story.field_name in served:
        assert served[story.field_name] == text
    elif stage != "submit" and story.results[stage]["status"] == "applied" and text.strip():
        assert text.strip() in bodies


def test_text_no_database_can_hold_is_refused_in_every_field(sync) -> None:
    teller = StoryTeller(sync)
    stories = [Story(name, text) for name in FIELDS for text in UNSTORABLE]
    teller.tell(stories)
    for story in stories:
        stage = FIELDS[story.field_name][0]
        assert story.results[stage]["status"] == "rejected"


def test_tricky_text_that_is_valid_is_stored_and_served_exactly(sync) -> None:
    teller = StoryTeller(sync)
    fine = ("question", "answer_text", "respond.body", "reply.body", "cancel.reason")
    stories = [Story(name, text) for name in fine for text in TRICKY_BUT_FINE]
    teller.tell(stories)
    assert all(story.results["submit"]["status"] == "applied" for story in stories)
    paired = next(s for s in stories if s.text == "\ud83d\ude00" and s.field_name == "question")
    assert as_sent(paired.text) == "😀"


ANY_CHARACTER = st.characters(exclude_categories=())  # surrogates and controls included
TEXTS = st.one_of(
    st.text(ANY_CHARACTER, max_size=40),
    st.text(st.characters(categories=["Cs", "Cc"]) | st.sampled_from("a é😀"), min_size=1),
    st.sampled_from(UNSTORABLE + TRICKY_BUT_FINE),
)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(cases=st.lists(st.tuples(st.sampled_from(sorted(FIELDS)), TEXTS), min_size=1, max_size=6))
def test_any_text_in_any_field_never_stops_a_sync(sync, cases: list[tuple[str, str]]) -> None:
    teller = StoryTeller(sync)
    teller.tell([Story(name, text) for name, text in cases])


def test_a_lone_surrogate_an_older_hub_stored_no_longer_stops_pulls(sync, hub_db) -> None:
    (sent,) = sync.push(DEMO_GP, Sync.request())
    cid = sent["conversation"]["id"]
    table = Conversation.__table__
    with hub_db.transaction() as session:  # JSON-escaped, as an older hub stored it
        stored = '{"lesion_site": "arm \\ud83d", "problem_type": "Rash"}'
        session.execute(table.update().where(table.c.id == cid).values(template_answers=stored))
    read = sync.hub.request("GET", f"/api/v1/conversations/{cid}", token=sync.hub.token(DEMO_GP))
    assert read.status_code == 200, read.text
    assert read.json()["template_answers"]["lesion_site"] == "arm \ufffd"
    for username in ROLES:
        snapshots, _ = sync.pull(username)
        if username == DEMO_MANAGER:  # a review: no template answers at all
            assert snapshots[cid]["template_answers"] == {}
        elif username != DEMO_SPECIALIST or cid in snapshots:
            assert snapshots[cid]["template_answers"]["lesion_site"] == "arm \ufffd"
