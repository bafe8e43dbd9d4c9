"""Shared set-up: the tests' own helper modules on the path, and a throw-away course."""

import sys
from pathlib import Path

import pytest

from instructor.authoring.courses import hand_in, make_course

sys.path.insert(0, str(Path(__file__).parent))   # lab_server, postgres_server, test_widgets


@pytest.fixture
def course_with(tmp_path):
    """A throw-away course of one assignment with hand-ins, the repeated set-up of many tests:
    ``course_with("01_forward_pass", {"honest": SOLUTION, "blank": None})`` (the solution,
    the blank release, or ``{grade_id: code}``)."""

    def make(assignment, handins=(), db_url=None):
        course = make_course(tmp_path / "course", [assignment], db_url)
        for student, cells in dict(handins).items():
            hand_in(course, assignment, student, cells)
        return course

    (tmp_path / "course").mkdir()
    return make
