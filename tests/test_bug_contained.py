"""kazkg.errors.bug_contained, the one place that catches any exception: a bug is logged with
its traceback and the caller goes on to its last resort; nothing else is caught."""

from __future__ import annotations

import logging

import pytest

from kazkg.errors import bug_contained

log = logging.getLogger("kazkg.test")


def test_a_bug_is_logged_with_its_traceback_and_the_block_is_marked_failed(caplog):
    with bug_contained(log, "making %s", "the thing") as outcome:
        raise ValueError("broken")
    assert outcome.failed
    [record] = caplog.records
    assert record.getMessage() == "making the thing" and record.exc_info[0] is ValueError


def test_a_block_that_ends_is_not_failed(caplog):
    with bug_contained(log, "never said") as outcome:
        pass
    assert not outcome.failed and not caplog.records


def test_an_interrupt_is_not_caught():
    with pytest.raises(KeyboardInterrupt), bug_contained(log, "never said"):
        raise KeyboardInterrupt

