"""Is every contract between processes and files one definition that both sides read back the
same? And do the grader's steps follow the steps ``nbgrader_config.py`` declares?"""

import numpy as np
import pytest
from nbgrader import preprocessors as nbgrader_steps
from traitlets.config import Config

from instructor.authoring.courses import COURSE as ROOT
from instructor.course import course_config
from instructor.grading import saving, steps
from instructor.grading.records import Result, Timings, read_grade_file, write_grade_file
from instructor.vocabulary import Status
from workbook.handout import MIME, Payload, decode, encode
from workbook.wire import KernelAnswer, KernelRequest, ProbeReport


@pytest.mark.parametrize("value", [np.arange(6, dtype=np.float32).reshape(2, 3), -4.5, 3,
                                   np.float32(0.25), True, None, [1, 2]])
def test_a_hand_out_round_trips(value):
    """Does a hand-out written by the kernel read back as the same payload and value?"""
    payload = Payload(2, encode(value), "relu(z)")
    back = Payload.from_output(payload.to_output()[MIME])
    assert back == payload
    rebuilt = decode(back.value)
    if isinstance(value, np.ndarray):
        assert rebuilt.dtype == value.dtype and np.array_equal(rebuilt, value)
    elif isinstance(value, list):
        assert len(rebuilt) == len(value)
    else:
        assert rebuilt == value


@pytest.mark.parametrize("forged", [{"site": 0, "value": {}}, {"version": 1, "site": "0",
                                    "value": {}}, {"version": 1, "site": 0, "value": []}, [],
                                    "text"])
def test_a_forged_hand_out_reads_as_none(forged):
    """Is a hand-out of another shape or version refused, never an exception?"""
    assert Payload.from_output(forged) is None


def test_the_factory_protocol_round_trips():
    """Do a kernel request and its answer read back as written, and junk as None?"""
    request = KernelRequest(argv=["-f", "/tmp/k.json"], cwd="/tmp/w", env={"A": "1"},
                            log="/tmp/log", job="/tmp/job", limits={"memory_mb": 2048},
                            connection={"key": "abc"}, uid=61001, contain=True, keep=["/tmp/v"])
    assert KernelRequest.from_line(request.to_line()) == request
    assert KernelAnswer.from_line(KernelAnswer(42).to_line()) == KernelAnswer(42)
    assert KernelRequest.from_line("{oops") is None and KernelAnswer.from_line('{"pid": 1}') is None


def test_a_probe_report_round_trips_and_a_huge_one_is_refused():
    """Does a probe's report read back from its printed line, and is a flood refused?"""
    report = ProbeReport(("numpy.allclose accepts a wrong value",))
    assert ProbeReport.from_text(f"noise\n{report.to_line()}\n") == report
    assert ProbeReport.from_text(ProbeReport.MARK + " [" + "1," * 100_000 + "1]") is None
    assert ProbeReport.from_text("workbook-probe {}") is None


def test_the_grade_file_round_trips(tmp_path):
    """Does a result written to the grade file read back with the same fields?"""
    result = Result("ada", "01_forward_pass", 17.5, 21.0, Status.OK, ["late", "late"])
    write_grade_file(tmp_path, "01_forward_pass", [result])
    row = read_grade_file(tmp_path)[("ada", "01_forward_pass")]
    assert row == {"student": "ada", "assignment": "01_forward_pass", "score": "17.5",
                   "max_score": "21", "status": "ok", "flags": "late"}


def test_timings_round_trip_through_json():
    """Do the timings a run prints as JSON read back as the same numbers?"""
    timings = Timings(startup=1.5, sanitize=0.25, execute=3.0, factories=0.5, grade=0.1,
                      save=0.2, wall=5.5)
    assert Timings.from_json(timings.to_json()) == timings


def _names(classes):
    return [cls.__name__ for cls in classes]


def test_the_grader_runs_the_steps_the_course_declares():
    """Are the grader's step lists nbgrader's as configured, with its own steps around them
    and only the documented replacements? A step added in nbgrader_config.py is run too."""
    config = course_config(ROOT)
    sanitize = steps.sanitize_steps(config)
    assert _names(sanitize[:3]) == ["RemoveGraderMarks", "FlagTampering", "RestoreGradeCells"]
    assert _names(sanitize[-2:]) == ["HandOutTests", "AddProbes"]
    declared = [step.rsplit(".", 1)[1] for step in config.Autograde.sanitize_preprocessors]
    assert _names(sanitize[3:-2]) == [n for n in declared if n != "CheckCellMetadata"]
    grade = steps.grade_steps(config)
    assert _names(grade[:2]) == ["TakeProbes", "DecideTests"]
    assert grade[2:] == [nbgrader_steps.IgnorePattern, *grade[3:4], nbgrader_steps.LimitOutput,
                         saving.SaveAutoGrades, saving.AssignLatePenalties]
    extra = Config()
    extra.merge(config)
    extra.Autograde.autograde_preprocessors = [
        "nbgrader.preprocessors.Execute", "nbgrader.preprocessors.LimitOutput",
        "nbgrader.preprocessors.ComputeChecksums"]
    assert steps.grade_steps(extra)[2:] == [nbgrader_steps.LimitOutput,
                                            nbgrader_steps.ComputeChecksums]


def test_a_value_many_mistakes_share_names_none_of_them():
    """Does the mistake key name a mistake by a value of its own, and stay silent on a value
    that more than ``MOST_NAMES`` mistakes hand out (it would name the wrong ones)?"""
    from instructor.grading.mistakes import MOST_NAMES, MistakeKey, fingerprint

    own, shared = encode(np.array([1.5, -2.0])), encode(np.array([0.0]))
    crowd = [f"mistake {i}" for i in range(MOST_NAMES + 1)]
    key = MistakeKey("x", {"test_a": {"0": {fingerprint(own): ["W2 not transposed"],
                                            fingerprint(shared): crowd}}})
    assert key.names("test_a", 0, own) == ["W2 not transposed"]
    assert key.names("test_a", 0, shared) == [] and key.names("test_b", 0, own) == []
    assert key.telling() == {"W2 not transposed"}
