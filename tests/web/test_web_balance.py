"""kazkg.web.balance: an HTTP process that holds more connections than another accepts none
until the other has caught up; one still starting counts as holding none, for a while."""

from __future__ import annotations

from kazkg.web import balance
from kazkg.web.balance import Balance


def test_the_process_ahead_waits_for_the_others():
    shared = Balance(2)
    shared.join(0)
    assert not shared.ahead()  # the other is not started: nobody to wait for
    shared.starting(1)
    shared.opened()
    assert shared.ahead()  # the other starts with none: the next connection is left to it
    shared.join(1)  # (what the other process does, in its own copy of the shared slots)
    shared.slot = 0
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
