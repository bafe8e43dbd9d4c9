"""Are hidden tests rewritten so that nothing secret reaches the kernel, and judged right?

The rewriting and the judging are plain functions on text and data: no kernel, no sandbox.
"""

import ast
import json

import nbformat
import numpy as np
import pytest

from instructor.grading import decide, rewrite
from instructor.grading.keys import AnswerKey, AnswerKeyError, Expected
from instructor.vocabulary import DECIDED
from workbook.handout import ACCESS, Payload, decode, encode

CELL = '''"""relu works."""
z = np.array([[-2.0, 0.5]])
check_array(relu(z), "relu(z)", shape=(1, 2))
### BEGIN HIDDEN TESTS
### BEGIN REFERENCE
def reference_(a):
    return np.maximum(a, 0)
### END REFERENCE
cube = np.random.default_rng(7).normal(size=(3, 4))
check_close(relu(z), [[0.0, 0.5]], "relu(z)")
check_close(relu(cube), reference_(cube), "relu of a 2-D array", rtol=1e-6)
for k in range(2):
    check_that(relu(k) >= 0, f"relu({k}) is negative")
### END HIDDEN TESTS
'''


def test_the_kernel_sees_no_expected_value_no_reference_and_no_tolerance():
    """Does the rewritten cell hold no expected value, reference code or tolerance, but the
    inputs and the visible checks?"""
    source, sites = rewrite.rewrite(CELL)
    assert "0.5]]" not in source.split("give(0")[1]          # the literal [[0.0, 0.5]]
    assert "reference_" not in source and "np.maximum" not in source
    assert "rtol" not in source
    assert "cube = np.random.default_rng(7)" in source         # inputs stay
    assert 'check_array(relu(z), "relu(z)", shape=(1, 2))' in source or \
        "check_array(relu(z), 'relu(z)', shape=(1, 2))" in source   # visible checks stay
    assert [(s.index, s.check, s.name) for s in sites] == [
        (0, "check_close", "relu(z)"), (1, "check_close", "relu of a 2-D array"),
        (2, "check_that", None)]


def test_the_key_run_hands_out_expected_values_and_tolerances():
    """Does the key's run hand out the expected values, with their tolerances?"""
    source, sites = rewrite.rewrite(CELL, key=True)
    assert "reference_(cube)" in source and "'rtol': 1e-06" in source
    assert len(sites) == 3


def test_a_cell_without_hidden_checks_is_left_alone():
    """Is a cell without hidden checks left as it is?"""
    plain = 'check_close(x, 1.0, "x")\n'
    assert rewrite.rewrite(plain) == (plain, [])


def test_reference_regions_go_at_any_depth_and_inputs_stay():
    """Are reference statements dropped inside loops and branches, leaving the inputs?"""
    cell = ("### BEGIN HIDDEN TESTS\nfor n in (2, 3):\n    X_ = data(n)\n"
            "    ### BEGIN REFERENCE\n    expected_ = secret(X_)\n    ### END REFERENCE\n"
            "    net.train(3)\n    check_close(net.predict(X_), expected_, 'p')\n"
            "if True:\n    ### BEGIN REFERENCE\n    more_ = secret(1)\n    ### END REFERENCE\n"
            "### END HIDDEN TESTS\n")
    source, _ = rewrite.rewrite(cell)
    assert "secret" not in source and "expected_" not in source and "more_" not in source
    assert "X_ = data(n)" in source and "net.train(3)" in source and "pass" in source
    key, _ = rewrite.rewrite(cell, key=True)
    assert "expected_ = secret(X_)" in key and "more_ = secret(1)" in key


@pytest.mark.parametrize("cell, words", [
    ("### BEGIN HIDDEN TESTS\n### BEGIN REFERENCE\ncheck_close(f(1), 2, 'f')\n"
     "### END REFERENCE\n### END HIDDEN TESTS\n", "inside a reference region"),
    ("### BEGIN REFERENCE\nx = 1\n### END REFERENCE\n### BEGIN HIDDEN TESTS\n"
     "check_close(f(1), 2, 'f')\n### END HIDDEN TESTS\n", "outside the hidden tests"),
    ("### BEGIN HIDDEN TESTS\nx = (1,\n### BEGIN REFERENCE\n2)\n### END REFERENCE\n"
     "check_close(f(x), 2, 'f')\n### END HIDDEN TESTS\n", "whole statements"),
])
def test_a_broken_reference_region_is_refused(cell, words):
    """Is a reference region that would decide nothing, leak, or cut a statement refused?"""
    with pytest.raises(rewrite.RewriteError, match=words):
        rewrite.rewrite(cell)


def test_rewritten_checks_look_up_no_name_of_the_student():
    """Does a hand-out reach `give` without `__import__`, `bool` or any name a student binds?"""
    source, _ = rewrite.rewrite(CELL)
    assert "__import__" not in source and "bool(" not in source
    assert ast.unparse(ast.parse(ACCESS)) in source
    names = {n.id for n in ast.walk(ast.parse(ACCESS)) if isinstance(n, ast.Name)}
    assert names == {"c"}     # the comprehension's own variable, nothing else

    def loaded(text):
        return {n.id for n in ast.walk(ast.parse(text))
                if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}

    # nothing the rewrite added is looked up but its own two names (never a global)
    assert loaded(source) - loaded(CELL) == {"c", rewrite.HELD}


def payload(site, value, name=None):
    return Payload(site, encode(value), name)


def key_of(*values, **options):
    return [[Expected(encode(np.asarray(v, dtype=float)), options)] for v in values]


SITES = [rewrite.Site(0, "check_close", "o")]


@pytest.mark.parametrize("answer", [-4.0, np.float32(-4.0), np.array([[-4.0]]), -4])
def test_every_correct_form_of_a_number_passes(answer):
    """Does every correct form of a number pass the judge?"""
    assert decide.judge(SITES, [payload(0, answer)], key_of(-4.0)) == []


@pytest.mark.parametrize("answer, words", [
    (-4.5, "value is not correct"), (np.zeros(3), "single number"), ("x", "should be a number"),
    (None, "should be a number"), ([1.0], "a list of length 1")])
def test_wrong_answers_get_the_checks_own_message(answer, words):
    """Does a wrong answer get the check's own message, without the expected value?"""
    problems = decide.judge(SITES, [payload(0, answer)], key_of(-4.0))
    assert len(problems) == 1 and words in problems[0]
    assert "-4" not in problems[0]


def test_missing_extra_and_forged_results_fail():
    """Do missing, extra and malformed hand-outs fail the cell?"""
    assert "received 0 results" in decide.judge(SITES, [], key_of(-4.0))[0]
    twice = [payload(0, -4.0), payload(0, -4.0)]
    assert "received 2 results" in decide.judge(SITES, twice, key_of(-4.0))[0]
    forged = [Payload(0, {"kind": "ndarray", "dtype": "float64", "shape": [1],
                          "data": [-4.0, 1.0]})]
    assert decide.judge(SITES, forged, key_of(-4.0))
    assert decide.judge(SITES, [Payload(0, {"kind": "bool", "value": "yes"})], key_of(-4.0))


def test_tolerances_come_from_the_key():
    """Are the tolerances the key's, not the kernel's?"""
    sites = [rewrite.Site(0, "check_close", "v")]
    near = payload(0, np.array([1.0 + 1e-4]))
    assert decide.judge(sites, [near], key_of([1.0]))
    assert decide.judge(sites, [near], key_of([1.0], rtol=1e-3)) == []


def test_a_check_that_must_hand_out_true():
    """Must a check_that hand out exactly True to pass?"""
    sites = [rewrite.Site(0, "check_that", None)]
    key = [[Expected(encode(True))]]
    assert decide.judge(sites, [payload(0, True)], key) == []
    assert decide.judge(sites, [payload(0, False, name="relu(0) is negative")], key) == [
        "relu(0) is negative"]
    assert decide.judge(sites, [payload(0, 1)], key)


def test_decoding_rebuilds_dtype_and_shape_and_refuses_the_unknown():
    """Does decoding rebuild dtype and shape and refuse what it does not know?"""
    value = decode(encode(np.arange(6, dtype=np.float32).reshape(2, 3)))
    assert value.dtype == np.float32 and value.shape == (2, 3) and value[1, 2] == 5
    assert np.isnan(decode(encode(np.array([np.nan])))[0])
    assert isinstance(decode({"kind": "ndarray", "dtype": "object", "shape": [2]}),
                      np.ndarray)
    assert type(decode({"kind": "weird"})).__name__ == "object"
    assert isinstance(decode({"kind": "ndarray", "dtype": "float64", "shape": [10**9],
                                      "data": [1.0]}), np.ndarray)


def test_decide_puts_the_source_back_and_scores_through_an_error():
    """Does deciding put the test's source back and fail it through an error output?"""
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(CELL, metadata={
        "nbgrader": {"grade": True, "solution": False, "grade_id": "t", "points": 1}})])
    rewrite.hand_out_tests(nb)
    assert nb.cells[0].source != CELL
    nb.cells[0].outputs = [
        nbformat.v4.new_output("display_data",
                               data=payload(0, np.array([[0.0, 0.5]])).to_output()),
        nbformat.v4.new_output("execute_result", data={"text/plain": "1.0"}, execution_count=1),
    ]
    key = AnswerKey("", {"t": key_of([[0.0, 0.5]], [[1.0]]) + [[Expected(encode(True))]]})
    decide.decide_tests(nb, key)
    assert nb.cells[0].source == CELL
    [error] = nb.cells[0].outputs
    assert error.output_type == "error" and "received 0 results of hidden check 2" in error.evalue
    assert nb.cells[0].metadata[DECIDED] == [{"by": "key", "text": error.evalue}]
    json.dumps(nb)


def test_an_audit_takes_every_check_that_as_forged():
    """Does the audit count only values compared with the key, so that a forged check_that
    (computed in the kernel) can neither fail nor save a cell?"""
    sites = [rewrite.Site(0, "check_that", None), rewrite.Site(1, "check_close", "o")]
    key = [[Expected(encode(True))], key_of(-4.0)[0]]
    lying = [payload(0, True), payload(1, -4.5)]
    assert decide.judge(sites, lying, key, audit=True)
    assert decide.judge(sites, [payload(0, False), payload(1, -4.0)], key, audit=True) == []


def test_the_answer_key_round_trips_through_its_file():
    """Is the answer key one definition, written and read back the same?"""
    key = AnswerKey("abc", {"t": key_of([1.0, 2.0], rtol=1e-3) + [[Expected(encode(True))]]})
    assert AnswerKey.from_json(key.to_json()) == key
    with pytest.raises(AnswerKeyError):
        AnswerKey.from_json('{"fingerprint": "abc", "cells": {}}')    # no version


def test_a_graded_cell_runs_through_a_failing_visible_check(monkeypatch):
    """After a visible check fails, do the hidden checks still hand out their values, and does
    the cell still fail with that first error?"""
    from workbook import checks
    from workbook.handout import WorkbookHandout

    given = []
    monkeypatch.setattr(WorkbookHandout, "give", staticmethod(
        lambda site, value, name=None, options=None: given.append(site)))
    source, _ = rewrite.rewrite(CELL)
    namespace = {"np": np, "relu": lambda z: np.zeros(3), **{
        name: getattr(checks, name) for name in ("check_array", "check_close", "check_that")}}
    with pytest.raises(checks.CheckError, match="should have shape"):
        exec(source, namespace)  # noqa: S102  (the rewritten test cell)
    assert given == [0, 1]      # the hidden checks after the failed visible one (site 2 raises)
