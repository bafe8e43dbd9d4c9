"""Every limit and default of ``workbook grade``, in one place: the CLI, :class:`Options`,
:class:`Limits`, the readers of hand-ins and graded notebooks, and the workers read them here.

Two kinds of limits: what a student's *kernel* may use (:class:`Limits`, enforced by the
sandbox), and what the *grader* itself spends on one hand-in (the sizes below, enforced where
the grader reads or keeps something), so that no file can take the grader's memory or time.
"""

import os
from dataclasses import dataclass

__all__ = ["Limits"]

# What a grade run does at once.
JOBS = os.cpu_count() or 1       # notebooks run at the same time
CELL_TIMEOUT_S = 60              # per cell, when the course's Execute.timeout says nothing
NOTEBOOK_TIMEOUT_S = 600         # per notebook; also the kernel's CPU-time limit

# A kernel's resources (the sandbox's rlimits and its private /tmp).
MEMORY_MB = 2048                 # address space of a kernel; numpy + matplotlib need about 1 GiB
PROCESSES = 64                   # processes and threads of a kernel's uid
FILE_MB = 64                     # largest file a kernel may write, and the size of its /tmp
# The smallest --memory accepted: below it a kernel with numpy and matplotlib cannot even start
# (measured in the sandbox: see README.md), so every student would get status "error".
MEMORY_FLOOR_MB = 1024
# Notebooks that import torch need more: measured, 1024 MB cannot start such a kernel and 1280
# runs out of memory training Assignment 5's network; 1536 grades it in full.
TORCH_MEMORY_FLOOR_MB = 1536

# What the grader reads of a hand-in.
NOTEBOOK_MB = 32                 # largest notebook read from a hand-in
NOTEBOOK_CELLS = 2000            # most cells in one (the releases have about 150)
NOTEBOOK_DEPTH = 64              # deepest nesting of its JSON (nbformat needs 6)
HANDIN_MB = 128                  # all the files beside a hand-in's notebooks together
HANDIN_FILES = 500               # most files beside them
HANDIN_DEPTH = 20                # deepest folder among them
TIMESTAMP_BYTES = 1024           # timestamp.txt, submission_secret.txt

# What the grader keeps of a graded run.
OUTPUT_KB = 1024                 # output kept per cell (errors included)
NOTEBOOK_OUTPUT_MB = 8           # output kept per notebook (errors included)
HANDOUT_KB = 2048                # a cell's hidden-check results, apart from the above
ERROR_CHARS = 4000               # an error's message ...
TRACEBACK_LINES = 60             # ... and traceback, each line at most ERROR_LINE_CHARS
ERROR_LINE_CHARS = 2000
# A graded notebook is the hand-in's code plus what its run kept: read back within this.
GRADED_NOTEBOOK_MB = NOTEBOOK_MB + NOTEBOOK_OUTPUT_MB + 2 * HANDOUT_KB // 1024 + 8

# What a feedback page shows (formatting markdown costs up to ~20 us a character).
MARKDOWN_KB = 32                 # a markdown cell longer than this is shown as plain text
PAGE_MARKDOWN_KB = 256           # markdown formatted per page; the rest shown as plain text
PAGE_OUTPUT_KB = 256             # output text shown per cell; the rest is cut
PAGE_MB = 8                      # outputs (pictures included) shown per page


@dataclass(frozen=True)
class Limits:
    """Resource limits of one student's kernel."""

    memory_mb: int = MEMORY_MB
    cpu_seconds: int = NOTEBOOK_TIMEOUT_S
    processes: int = PROCESSES
    file_mb: int = FILE_MB
