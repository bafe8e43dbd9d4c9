"""The instructor's side of the backpropagation workbook: everything students never import.

- :mod:`instructor.vocabulary`: nbgrader's cell metadata, the solution and hidden-test markers,
  the grading statuses; every other module asks it.
- :mod:`instructor.grading`: ``workbook grade``, nbgrader's autograder made parallel and
  sandboxed (pipeline, execute, sandbox, zygote, integrity, probe).
- :mod:`instructor.feedback`: ``workbook feedback``, HTML pages safe to hand out.
- :mod:`instructor.authoring`: building submissions from source/, planted mistakes and correct
  variants per assignment, throw-away courses; shared by the tests, benchmarks and the demo.
- :mod:`instructor.release`: ``bash course.sh release``, the release and the notebooks' text
  twins; :mod:`instructor.workcopy`: ``bash course.sh lab``'s working copy.
- :mod:`instructor.nbgrader_hooks`: the course's parts in nbgrader's own commands.
- :mod:`instructor.hub`: ``bash course.sh hub``, a JupyterHub term with real users.
- :mod:`instructor.cli` (the ``workbook`` command) and :mod:`instructor.demo`.

The students' package is :mod:`workbook`; student kernels see only that one.
"""

import sys

# jsonschema (which nbformat validates with) checks the "iri" format with rfc3987-syntax, which
# builds a Lark parser per grammar rule when imported: about a second of every command's
# start-up, measured. No notebook schema uses that format, so these commands do without it.
sys.modules.setdefault("rfc3987_syntax", None)
