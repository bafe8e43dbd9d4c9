"""Students' kernels, sandboxed: one module per concept.

- :mod:`.bwrap`: the bubblewrap command around a kernel factory (what a kernel can see), the
  kernel's environment, and whether bubblewrap works here;
- :mod:`.factory`: the grader's side of a kernel factory (start it, hand it to a worker, ask it
  for kernels), and the uid each kernel gets; :mod:`.factory_main` is the factory itself, run
  inside the sandbox;
- :mod:`.kernel`: one kernel's life, from its fork to its end (folder, manager, files, kill);
- :mod:`.procfs`: what the grader reads of ``/proc``.

The messages between the grader and the factory are :mod:`workbook.wire`'s.
"""

from instructor.grading.sandbox.bwrap import exposed_paths, sandbox_problem
from instructor.grading.sandbox.factory import FIRST_UID, UID_COUNT, Factory, FactorySpec
from instructor.grading.sandbox.kernel import Kernel

__all__ = ["FIRST_UID", "UID_COUNT", "Factory", "FactorySpec", "Kernel", "exposed_paths",
           "sandbox_problem"]
