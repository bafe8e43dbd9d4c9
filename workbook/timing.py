"""Timing code the way the notebooks compare a slow version with a fast one.

The clock is ``time.perf_counter``; the figure kept is the shortest of a few runs, the one
least disturbed by whatever else the machine was doing (the usual advice of Python's
``timeit``). Nothing here is graded: machines differ, so the notebooks print and plot times
but never test them.
"""

import time

__all__ = ["best_time", "time_pairs"]


def best_time(fn, *args, repeat=3, **kwargs):
    """The shortest wall-clock time, in seconds, of ``repeat`` calls of ``fn(*args, **kwargs)``."""
    if repeat < 1:
        raise ValueError(f"repeat should be at least 1, not {repeat}")
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        fn(*args, **kwargs)
        best = min(best, time.perf_counter() - started)
    return best


def time_pairs(slow, fast, cases, repeat=3):
    """Time ``slow(*case)`` and ``fast(*case)`` for every argument tuple in ``cases``.

    Returns two lists of seconds, ``(slow_times, fast_times)``, one entry per case.
    """
    slow_times, fast_times = [], []
    for case in cases:
        slow_times.append(best_time(slow, *case, repeat=repeat))
        fast_times.append(best_time(fast, *case, repeat=repeat))
    return slow_times, fast_times
