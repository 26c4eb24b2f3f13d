"""kazkg.web.balance: an HTTP process that holds more connections than another that listens
accepts none until the other has caught up; one still starting counts as listening with no
connection, for a while; one that is not looking is never waited for."""

from __future__ import annotations

from kazkg.web import balance
from kazkg.web.balance import Balance


def _other(shared: Balance, slot: int, listening: bool) -> None:
    """What the process of `slot` does in its own copy of the shared slots: it listens."""
    shared._listening[slot] = listening


def test_the_process_ahead_waits_for_one_that_listens():
    shared = Balance(2)
    shared.join(0)
    assert not shared.ahead()  # the other is not started: nobody to wait for
    shared.starting(1)
    shared.opened()
    assert shared.ahead()  # the other starts with none: the next connection is left to it
    shared._counts[1] = 0  # it has joined ...
    assert not shared.ahead()  # ... but does not look yet: not waited for
    _other(shared, 1, True)
    assert shared.ahead()
    shared.closed()
    assert not shared.ahead()  # even again
    shared.away(1)
    shared.opened()
    assert not shared.ahead()  # the other is gone: this one takes every connection


def test_a_process_that_never_starts_is_not_waited_for(monkeypatch):
    shared = Balance(2)
    shared.join(0)
    shared.starting(1)
    shared.opened()
    assert shared.ahead()
    later = balance.time.monotonic() + balance.START_SECONDS + 1
    monkeypatch.setattr(balance.time, "monotonic", lambda: later)
    assert not shared.ahead()
