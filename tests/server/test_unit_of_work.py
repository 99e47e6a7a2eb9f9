"""Publish after commit: events of a rolled-back unit of work are neither stored nor sent."""

import pytest
from sqlmodel import select

from server.models import Branch, Event
from server.realtime.events import EventType, persist_pending, record


class Collector:
    def __init__(self):
        self.batches = []

    def __call__(self, events):
        self.batches.append(events)


@pytest.fixture
def wired(db):
    sent = Collector()
    db.before_commit = persist_pending
    db.on_commit = sent
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
