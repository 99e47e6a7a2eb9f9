"""Publish after commit: events of a rolled-back unit of work are neither stored nor sent;
side effects are handed on only after the commit."""

import pytest
from sqlmodel import select

from server.db import Database
from server.effects import after_commit
from server.models import Branch, Event
from server.realtime.events import EventType, record


class Collector:
    def __init__(self):
        self.batches = []

    def __call__(self, events):
        self.batches.append(events)


class Effect:
    def __init__(self, name):
        self.name = name

    async def run(self, ctx):  # pragma: no cover - run by the app, not here
        raise AssertionError("not run in these tests")


@pytest.fixture
def wired(db):
    sent = Collector()
    db.attach(publish=sent, run_effects=Collector())
    with db.unit_of_work() as s:
        s.add(Branch(code="b1", name="B1"))
    return db, sent


def _record(session, branch_id, clock):
    record(
        session, branch_id=branch_id, type=EventType.BRANCH_CHANGED, at=clock.now(), data={"n": 1}
    )


def test_committed_events_get_consecutive_seq_and_are_published(wired, clock):
    db, sent = wired
    with db.unit_of_work() as s:
        branch = s.exec(select(Branch)).one()
        _record(s, branch.id, clock)
        _record(s, branch.id, clock)
    assert [e["seq"] for e in sent.batches[-1]] == [1, 2]
    with db.read_session() as s:
        assert [e.seq for e in s.exec(select(Event).order_by(Event.seq))] == [1, 2]
        assert s.exec(select(Branch)).one().last_seq == 2


def test_rolled_back_events_are_not_stored_or_published(wired, clock):
    db, sent = wired
    before = len(sent.batches)

    def failing_request():
        with db.unit_of_work() as s:
            branch = s.exec(select(Branch)).one()
            _record(s, branch.id, clock)
            raise RuntimeError("the request failed")

    with pytest.raises(RuntimeError):
        failing_request()
    assert len(sent.batches) == before
    with db.read_session() as s:
        assert s.exec(select(Event)).all() == []
        assert s.exec(select(Branch)).one().last_seq == 0


def test_a_database_nobody_attached_still_stores_its_events(settings, clock):
    """A Database built by the CLI, a script or a test keeps every moment of truth."""
    db = Database(settings.sqlalchemy_url)
    try:
        with db.unit_of_work() as s:
            s.add(Branch(code="cli", name="CLI"))
        with db.unit_of_work() as s:
            branch = s.exec(select(Branch)).one()
            _record(s, branch.id, clock)
        with db.read_session() as s:
            assert [(e.seq, e.type) for e in s.exec(select(Event))] == [(1, "branch.changed")]
    finally:
        db.dispose()


def test_effects_are_handed_on_after_the_commit_only(wired):
    db, _ = wired
    collected = []
    with db.unit_of_work(effects=collected) as s:
        after_commit(s, Effect("print"))
        assert collected == []  # not before the commit
    assert [e.name for e in collected] == ["print"]

    collected = []

    def failing() -> None:
        with db.unit_of_work(effects=collected) as s:
            after_commit(s, Effect("never"))
            raise RuntimeError("rolled back")

    with pytest.raises(RuntimeError):
        failing()
    assert collected == []


def test_effects_nobody_collects_go_to_the_apps_runner(db):
    runner = Collector()
    db.attach(publish=Collector(), run_effects=runner)
    with db.unit_of_work() as s:
        after_commit(s, Effect("prewarm"))
    assert [[e.name for e in batch] for batch in runner.batches] == [["prewarm"]]
