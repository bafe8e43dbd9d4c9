"""The ``workbook`` command line explains itself: every error path, its message and exit code.

None of these runs a kernel: each is refused (or finds nothing to do) before grading starts.
"""

import shutil
import warnings

import pytest
from test_grader import workbook

from instructor.authoring.courses import COURSE as ROOT
from instructor.authoring.courses import make_course
from instructor.cli import summary
from instructor.course import course_config
from instructor.grading import defaults
from instructor.grading.records import Result, read_grade_file, write_grade_file
from instructor.vocabulary import Status

# Runs graders, kernels or browsers: the slow layer (`pytest -m "not slow"` skips it).
pytestmark = pytest.mark.slow

A1, A5 = "01_forward_pass", "05_pytorch_digits"


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    """A course with Assignments 1 and 5 generated, and 03 in source/ but not generated."""
    course = make_course(tmp_path_factory.mktemp("cli"), [A1, A5])
    shutil.copytree(ROOT / "source" / "03_activations_losses",
                    course / "source" / "03_activations_losses")
    return course


def refused(course, *args, cwd=None):
    run = workbook(cwd or course, *args, check=False)
    assert run.returncode == 2, (run.returncode, run.stdout, run.stderr)
    assert "Traceback" not in run.stderr
    return run.stderr


def test_outside_a_course_it_says_where_to_run_it(tmp_path):
    """Outside a course folder, does the command say where to run it?"""
    message = refused(tmp_path, "grade", A1)
    assert "no course here" in message and "nbgrader_config.py" in message
    assert "--course PATH" in message
    message = refused(tmp_path, "--course", str(tmp_path), "report")
    assert "is not a course folder" in message


def test_course_option_before_or_after_the_command(course, tmp_path):
    """Is --course accepted before or after the command?"""
    before = refused(tmp_path, "--course", str(course), "report")
    after = refused(tmp_path, "report", "--course", str(course))
    assert before == after
    assert "nothing to do: no assignment has been graded yet" in before


def test_from_a_subfolder_the_course_is_found(course):
    """From a folder inside the course, is the course found?"""
    (course / "submitted").mkdir(exist_ok=True)
    assert "nothing to do" in refused(course, "report", cwd=course / "submitted")


def test_an_unknown_assignment_lists_the_valid_ones_and_the_closest(course):
    """Is an unknown assignment id answered with the valid ones and the closest?"""
    message = refused(course, "grade", "01_forward")
    assert "no assignment '01_forward' in this course" in message
    assert "Did you mean '01_forward_pass'?" in message
    assert f"Valid assignments: {A1}, 03_activations_losses, {A5}" in message
    assert "generate_assignment 01_forward" not in message
    for command in ("feedback", "report"):
        assert "Did you mean '01_forward_pass'?" in refused(course, command, "01_forwrd_pass")


def test_an_assignment_not_generated_yet_says_how_to_generate_it(course):
    """Does an assignment in source/ but not generated say how to generate it?"""
    message = refused(course, "grade", "03_activations_losses")
    assert "nbgrader generate_assignment 03_activations_losses" in message


def test_feedback_with_nothing_to_do_says_so(course):
    """Does feedback with nothing graded say so, with status 2?"""
    message = refused(course, "feedback", A1)
    assert "nothing to do: no student has a graded submission of 01_forward_pass" in message
    from nbgrader.api import Gradebook

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with Gradebook(course_config(course).CourseDirectory.db_url) as gb:
            gb.update_or_create_student("ada")
            gb.update_or_create_submission(A1, "ada")
    message = refused(course, "feedback", A1, "--student", "nobody")
    assert "no graded submission of 01_forward_pass from: nobody" in message
    assert "Graded students: ada" in message


@pytest.mark.parametrize("option, value, reason", [
    ("--jobs", "0", "argument --jobs: 0 must be at least 1"),
    ("--jobs", "two", "argument --jobs: 'two' is not a whole number"),
    ("--timeout", "0", "argument --timeout: 0 must be at least 1"),
    ("--notebook-timeout", "-5", "argument --notebook-timeout: -5 must be at least 1"),
    ("--memory", "200", f"200 MB is too small for a kernel to start: a kernel with numpy and "
                        f"matplotlib needs at least {defaults.MEMORY_FLOOR_MB} MB"),
])
def test_bad_limits_are_refused_with_the_reason(course, option, value, reason):
    """Are limits that are not whole numbers above 0, or too small, refused with the reason?"""
    message = refused(course, "grade", A1, option, value)
    assert reason in message
    assert "usage: workbook grade" in message


def test_a_memory_cap_too_small_for_torch_is_named_as_such(course):
    """Is a memory cap too small for a torch notebook refused, naming torch?"""
    message = refused(course, "grade", A5, "--memory", "1024")
    assert "too small for 05_pytorch_digits" in message and "imports torch" in message
    assert str(defaults.TORCH_MEMORY_FLOOR_MB) in message


def test_help_is_plain_text_and_says_where_submissions_go(course):
    """Is the help plain text, saying where submissions are expected?"""
    top = workbook(course, "--help").stdout
    assert "submitted/<student>/<assignment>/<notebook>.ipynb" in top
    assert "``" not in top and ":mod:" not in top
    for command in ("grade", "feedback", "report"):
        assert command in top
    grade = workbook(course, "grade", "--help").stdout
    assert "the assignment id, e.g. 01_forward_pass" in grade
    assert "submitted/<student>/ASSIGNMENT/" in grade and "``" not in grade
    assert "missing" in grade


def test_the_summary_counts_students_in_good_english():
    """Does the summary say '1 student' and '2 students'?"""
    one = [Result("ada", A1, 3.0, 21.0, Status.OK)]
    assert "1 student graded" in summary(one, 1.0, "2 local workers")
    assert "2 students graded" in summary(one * 2, 1.0, "2 local workers")


def test_a_failed_run_never_blanks_a_stored_score(tmp_path):
    """Does a run that could not grade a student keep their score, and say which stands?"""
    write_grade_file(tmp_path, A1, [Result("ada", A1, 17.0, 21.0, Status.OK),
                                    Result("bo", A1, 5.0, 21.0, Status.OK)])
    write_grade_file(tmp_path, A1, [Result("ada", A1, None, 21.0, Status.ERROR, ["worker lost"]),
                                    Result("bo", A1, None, 21.0, Status.MALFORMED),
                                    Result("cy", A1, None, 21.0, Status.ERROR)])
    rows = {student: row for (student, _), row in read_grade_file(tmp_path).items()}
    assert (rows["ada"]["score"], rows["ada"]["status"]) == ("17", "error")
    assert (rows["bo"]["score"], rows["bo"]["status"]) == ("5", "malformed")
    assert "the score of the last graded run (17) stands" in rows["ada"]["flags"]
    assert rows["cy"]["score"] == "" and "none was ever graded" in rows["cy"]["flags"]


def test_a_scheduler_out_of_reach_is_one_line_not_a_traceback(course, tmp_path):
    """Does --scheduler with an address nothing answers at, or no address at all, fail with
    one line that names it?"""
    folder = tmp_path / "course"
    shutil.copytree(course, folder)
    handin = folder / "submitted" / "ada" / A1
    handin.mkdir(parents=True)
    shutil.copy(folder / "release" / A1 / "forward_pass.ipynb", handin)
    for address, said in (("tcp://127.0.0.1:9", "Timed out"), ("nonsense", "port")):
        message = refused(folder, "grade", A1, "--scheduler", address)
        assert f"cannot reach the Dask scheduler at {address}" in message and said in message
        assert message.count("\n") == 1, message
