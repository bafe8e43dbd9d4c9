"""Jobs to workers and outcomes back: local worker processes, or a Dask cluster.

A runner takes jobs from an iterator only as workers free up (so memory stays flat however large
the class) and yields each :class:`.jobs.Outcome` as its job ends. :class:`LocalRunner` forks
its workers once, with nbgrader already imported, and each adopts a kernel factory started
before (:mod:`.warmup`); it can serve many grade runs (a grading service keeps one, and with it
warm factories). :class:`DaskRunner` sends jobs to an existing cluster.
"""

import multiprocessing
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor
from concurrent.futures import wait as futures_wait

from instructor.grading import GradingError
from instructor.grading.execute import adopt_factory, run_job
from instructor.grading.jobs import Outcome
from instructor.vocabulary import Status

__all__ = ["DaskRunner", "LocalRunner"]


class LocalRunner:
    """``jobs`` worker processes on this machine; a context manager (close ends them)."""

    def __init__(self, jobs, factories=()):
        self.jobs = jobs
        fork = multiprocessing.get_context("fork")
        factories = list(factories)[:jobs]
        self.pool = ProcessPoolExecutor(jobs, mp_context=fork, initializer=adopt_factory,
                                        initargs=(factories, fork.Value("i", 0)))
        self.pool.submit(int).result()   # forks every worker now (a fork pool starts all)
        for factory in factories:        # each adopted by one worker, which closes it
            factory.hand_over()

    @property
    def where(self):
        return f"{self.jobs} local worker{'s' if self.jobs != 1 else ''}"

    def outcomes(self, jobs):
        """Run ``jobs`` (an iterator); yield each Outcome as its job ends."""
        return _bounded(lambda job: self.pool.submit(run_job, job),
                        lambda futures: futures_wait(futures, return_when=FIRST_COMPLETED).done,
                        jobs, 2 * self.jobs)

    def close(self):
        self.pool.shutdown(wait=True, cancel_futures=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()


class DaskRunner:
    """The workers of the Dask cluster at ``address`` (they need this package and bubblewrap)."""

    def __init__(self, address):
        from distributed import Client

        self.address = address
        try:
            self.client = Client(address, timeout="10s")
        except (OSError, TimeoutError, ValueError) as error:
            raise GradingError(f"cannot reach the Dask scheduler at {address} "
                               f"({type(error).__name__}: {error})") from None

    @property
    def where(self):
        return f"Dask at {self.address}"

    def outcomes(self, jobs):
        from distributed import wait

        workers = max(1, sum(self.client.nthreads().values()))
        return _bounded(lambda job: self.client.submit(run_job, job, pure=False),
                        lambda futures: wait(futures, return_when="FIRST_COMPLETED").done,
                        jobs, 2 * workers)

    def close(self):
        self.client.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()


def _bounded(submit, wait_first, jobs, limit):
    """Keep at most ``limit`` jobs submitted; yield each Outcome as its job ends."""
    jobs, pending = iter(jobs), {}
    while True:
        while len(pending) < limit and (job := next(jobs, None)) is not None:
            pending[submit(job)] = job
        if not pending:
            return
        for future in wait_first(list(pending)):
            yield _outcome(future, pending.pop(future))


def _outcome(future, job):
    """The future's Outcome, or an ERROR one if the worker itself was lost."""
    try:
        return future.result()
    except Exception as error:  # noqa: BLE001  (a lost worker must not stop the class)
        return Outcome(job.student, job.notebook, Status.ERROR,
                       f"the grading worker failed: {type(error).__name__}: {error}")
