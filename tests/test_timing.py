"""Does the timing helper keep the best of several runs, and time both versions of each case?"""

import pytest

from workbook import timing


@pytest.fixture
def clock(monkeypatch):
    """A fake perf_counter: each call moves on by the next of the given steps."""
    def install(steps):
        ticks = iter(steps)
        now = [0.0]

        def counter():
            now[0] += next(ticks)
            return now[0]

        monkeypatch.setattr(timing.time, "perf_counter", counter)
    return install


def test_best_time_is_the_shortest_of_the_runs(clock):
    """Are the function's arguments passed on and the shortest of `repeat` runs kept?"""
    calls = []
    clock([0.0, 3.0, 0.0, 1.0, 0.0, 2.0])       # runs of 3, 1 and 2 seconds
    best = timing.best_time(lambda a, b=0: calls.append((a, b)), 5, b=6, repeat=3)
    assert best == 1.0 and calls == [(5, 6)] * 3


def test_best_time_needs_a_run():
    """Is repeat=0 refused rather than answered with infinity?"""
    with pytest.raises(ValueError, match="at least 1"):
        timing.best_time(print, repeat=0)


def test_time_pairs_times_both_versions_of_every_case(clock):
    """Does each case run through the slow and the fast function, in that order?"""
    seen = []
    clock([0.0, 4.0, 0.0, 1.0, 0.0, 8.0, 0.0, 2.0])
    slow, fast = timing.time_pairs(lambda n: seen.append(("slow", n)),
                                   lambda n: seen.append(("fast", n)), [(1,), (2,)], repeat=1)
    assert (slow, fast) == ([4.0, 8.0], [1.0, 2.0])
    assert seen == [("slow", 1), ("fast", 1), ("slow", 2), ("fast", 2)]
