"""Fingerprints of known mistakes and right values: do they recognise what they should, and
nothing else, and are the course's up to date?"""

import json

import numpy as np
import pytest

from instructor.authoring.fingerprints import stale
from workbook.checks import CheckError
from workbook.fingerprints import Fingerprints, canonical, make_print, matches

SALT = "test"


def test_a_value_matches_its_own_fingerprint_in_any_form():
    """Do float32 rounding, a 1-element array and a tensor-like value match a fingerprint?"""
    value = np.random.default_rng(0).normal(size=(4, 3))
    made = make_print(SALT, "x", value)
    assert matches(SALT, "x", value, made)
    assert matches(SALT, "x", value.astype(np.float32), made)
    assert matches(SALT, "x", value * (1 + 1e-7), made)
    number = make_print(SALT, "J", 2837.7039283601166)
    assert matches(SALT, "J", np.array([[2837.7039283601166]]), number)
    assert matches(SALT, "J", np.float32(2837.7039283601166), number)


def test_another_value_does_not_match():
    """Does a value off by a thousandth, of another shape or under another label differ?"""
    value = np.random.default_rng(1).normal(size=(5,))
    made = make_print(SALT, "x", value)
    assert not matches(SALT, "x", value * 1.01, made)
    assert not matches(SALT, "x", value.reshape(5, 1), made)
    assert not matches(SALT, "y", value, made)
    assert not matches(SALT, "x", "a string", made)
    assert not matches(SALT, "J", 5675.4, make_print(SALT, "J", 2837.7))


def test_a_fingerprint_tells_only_the_order_of_magnitude():
    """Is the grid step a power of ten, so that it does not hold the largest entry?"""
    for top in (2837.7039283601166, 0.0123456, 7.5):
        step = make_print(SALT, "x", np.array([top, top / 3]))["step"]
        assert np.isclose(np.log10(step), round(np.log10(step)))
        assert 1e-4 * top < step <= 1e-3 * top


def test_nan_and_infinite_entries_are_fingerprinted():
    """Does an overflow (nan, inf) give a fingerprint of its own, not an error?"""
    value = np.array([np.nan, np.inf, -np.inf, 1.0])
    made = make_print(SALT, "x", value)
    assert matches(SALT, "x", value.copy(), made)
    assert not matches(SALT, "x", np.array([np.nan, np.inf, 1.0, 1.0]), made)


def test_canonical_reads_numbers_and_refuses_the_rest():
    """Are one-number forms all shape (), and are text and huge arrays left alone?"""
    assert canonical(3.0)[0] == () and canonical(np.ones((1, 1)))[0] == ()
    assert canonical("3") is None and canonical(None) is None
    assert canonical(np.zeros(10_001)) is None


def test_checks_name_a_known_mistake_and_confirm_a_right_value(tmp_path, monkeypatch):
    """Does check name a known mistake (and nothing else), and confirm reject a wrong value?"""
    right = np.random.default_rng(2).normal(size=(3, 3))
    wrong = right.T
    data = {"salt": SALT, "labels": {"W": {"right": make_print(SALT, "W", right),
                                          "mistakes": [{**make_print(SALT, "W", wrong),
                                                        "names": ["W transposed"]}]}}}
    monkeypatch.setattr("workbook.fingerprints.KNOWN", tmp_path)
    (tmp_path / "nb.json").write_text(json.dumps(data))
    known = Fingerprints("nb")
    known.check(right, "W")
    known.confirm(right.astype(np.float32), "W")
    with pytest.raises(CheckError, match="looks like a known mistake: W transposed"):
        known.check(wrong, "W")
    with pytest.raises(CheckError, match="not right") as error:
        known.confirm(right + 0.1, "W")
    assert str(right[0, 0])[:6] not in str(error.value)
    known.check(right + 0.1, "W")            # not a known mistake: check says nothing
    Fingerprints("missing").confirm(wrong, "W")   # no file: nothing to check against


def test_the_course_fingerprints_are_up_to_date():
    """Were the fingerprints made from the present notebooks and planted mistakes?"""
    assert [spec.ASSIGNMENT for spec in stale()] == [], "run `bash course.sh release`"
