"""The defaults of ``workbook grade``, in one place: the CLI, ``Options``, ``Limits`` and ``Job``
all read them from here."""

import os

JOBS = os.cpu_count() or 1       # notebooks run at the same time
CELL_TIMEOUT_S = 60              # per cell, when the course's Execute.timeout says nothing
NOTEBOOK_TIMEOUT_S = 600         # per notebook; also the kernel's CPU-time limit
MEMORY_MB = 2048                 # address space of a kernel; numpy + matplotlib need about 1 GiB
PROCESSES = 64                   # processes and threads of a kernel's uid
FILE_MB = 64                     # largest file a kernel may write, and the size of its /tmp
OUTPUT_KB = 1024                 # output kept per cell
HANDOUT_KB = 2048                # results of a cell's hidden checks kept, apart from the above
NOTEBOOK_MB = 32                 # largest notebook read from a hand-in
HANDIN_MB = 128                  # all the files beside a hand-in's notebooks together
# The smallest --memory accepted: below it a kernel with numpy and matplotlib cannot even start
# (measured in the sandbox: see README.md), so every student would get status "error".
MEMORY_FLOOR_MB = 1024
# Notebooks that import torch need more: measured, 1024 MB cannot start such a kernel and 1280
# runs out of memory training Assignment 5's network; 1536 grades it in full.
TORCH_MEMORY_FLOOR_MB = 1536
