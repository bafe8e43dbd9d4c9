"""Tools for writing and testing assignments, shared by the tests, the benchmarks and the demo.

- :mod:`.submissions`: a student's hand-in built from the release and the source's answers;
- :mod:`.edits`: ``Edit``, ``Mistake`` and ``Variant``, and applying edits to answers;
- :mod:`.courses`: throw-away course copies graded by the real nbgrader command line;
- :mod:`.planted`: per assignment, the planted mistakes and correct variants
  (``planted/<notebook>.py``), found by :func:`.planted.declarations`.
"""
