"""A term's data, safe: backup and restore, extensions, partial reports (no grader run).

A course whose gradebook is written with nbgrader's API (:mod:`gradebook_course`), with
hand-ins, feedback, the grading service's ledger and an exchange folder beside it, is backed
up with ``workbook backup``, damaged, and restored with ``workbook restore``; a per-student
extension is set with ``workbook extend`` and must reach the gradebook, where nbgrader's late
penalty reads it, and the report.
"""

import io
import os
import shutil
import sqlite3
import tarfile
from datetime import timedelta

import pytest
from gradebook_course import DUE, Result, graded_course
from nbgrader.api import Gradebook
from test_grader import workbook

from instructor.authoring.courses import COURSE as ROOT
from instructor.backup import BackupError, backup, read_manifest, restore
from instructor.extensions import EXCUSED, read_extensions, student_due
from instructor.report import write_report

# Runs the command line many times (about 8 s each on a loaded machine): the slow layer.
pytestmark = pytest.mark.slow

A1, A3 = "01_forward_pass", "03_activations_losses"


@pytest.fixture
def course(tmp_path):
    """Two assignments, three students: ada on time, bo late (penalty 3), cy missing A3."""
    folder = tmp_path / "course"
    folder.mkdir()
    course = graded_course(folder, {A1: 21, A3: 31}, {"ada": "1", "bo": "2", "cy": "3"}, [
        Result("ada", A1, 21), Result("bo", A1, 15, penalty=3), Result("cy", A1, 10),
        Result("ada", A3, 31), Result("bo", A3, 20), Result("cy", A3, None)],
        config=f"\nc.Exchange.root = {str(tmp_path / 'exchange')!r}\n")
    for student in ("ada", "bo"):
        handin = course / "submitted" / student / A1
        handin.mkdir(parents=True)
        (handin / "forward_pass.ipynb").write_text(f'{{"by": "{student}"}}')
        (course / "feedback" / student / A1).mkdir(parents=True)
        (course / "feedback" / student / A1 / "forward_pass.html").write_text("<p>page</p>")
    (course / ".workbook").mkdir()
    with sqlite3.connect(course / ".workbook" / "service.sqlite") as ledger:
        ledger.execute("CREATE TABLE submissions (folder TEXT)")
        ledger.execute("INSERT INTO submissions VALUES ('ada+01_forward_pass+1')")
    inbound = tmp_path / "exchange" / "backprop-workbook" / "inbound" / "ada+01_forward_pass+1"
    inbound.mkdir(parents=True)
    (inbound / "forward_pass.ipynb").write_text("{}")
    return course


def scores(course):
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        return {(s.student.id, a.name): s.score - (s.late_submission_penalty or 0)
                for a in gb.assignments for s in a.submissions}


def test_backup_and_restore_bring_the_term_back(course, tmp_path):
    """Does ``workbook backup`` hold the gradebook, hand-ins, grades, feedback, ledger and the
    exchange, and does ``workbook restore`` bring them back, moving what was there aside?"""
    before = scores(course)
    archive = tmp_path / "term.tar.gz"
    run = workbook(course, "backup", "--to", str(archive))
    assert "2 collected submissions" in run.stdout
    manifest = read_manifest(archive)
    assert manifest["submissions"] == ["ada/01_forward_pass", "bo/01_forward_pass"]
    assert oct(archive.stat().st_mode & 0o777) == "0o600"

    (course / "gradebook.db").unlink()
    (course / "submitted" / "bo" / A1 / "forward_pass.ipynb").write_text("damaged")
    exchange = tmp_path / "exchange" / "backprop-workbook"
    (exchange / "inbound" / "ada+01_forward_pass+1" / "forward_pass.ipynb").unlink()
    refused = workbook(course, "restore", str(archive), check=False)
    assert refused.returncode == 2 and "--yes" in refused.stderr
    run = workbook(course, "restore", str(archive), "--yes")
    assert "moved aside" in run.stdout

    assert scores(course) == before
    assert (course / "submitted" / "bo" / A1 / "forward_pass.ipynb").read_text() == '{"by": "bo"}'
    assert (course / "feedback" / "ada" / A1 / "forward_pass.html").exists()
    assert (course / "workbook-grades.csv").read_text().count("\n") == 7
    with sqlite3.connect(course / ".workbook" / "service.sqlite") as ledger:
        assert ledger.execute("SELECT folder FROM submissions").fetchall() == [
            ("ada+01_forward_pass+1",)]
    assert (exchange / "inbound" / "ada+01_forward_pass+1" / "forward_pass.ipynb").exists()
    aside = next(course.glob("before-restore-*"))
    assert (aside / "submitted" / "bo" / A1 / "forward_pass.ipynb").read_text() == "damaged"
    assert not (aside / "gradebook.db").exists()


def test_restore_refuses_an_archive_that_writes_outside_the_course(course, tmp_path):
    """Is an archive with a path climbing out of the course, or a link, refused whole?"""
    for name, kind in (("course/../../escaped.txt", tarfile.REGTYPE),
                       ("course/link", tarfile.SYMTYPE)):
        archive = tmp_path / "evil.tar.gz"
        with tarfile.open(archive, "w:gz") as tar:
            for member, data in ((name, b"x"), ("MANIFEST.json", b'{"files": 1}')):
                info = tarfile.TarInfo(member)
                info.type = kind if member == name else tarfile.REGTYPE
                info.linkname = "/etc/passwd" if info.type == tarfile.SYMTYPE else ""
                info.size = len(data) if info.type == tarfile.REGTYPE else 0
                tar.addfile(info, io.BytesIO(data) if info.size else None)
        with pytest.raises(BackupError):
            restore(archive, course)
        assert not (tmp_path / "escaped.txt").exists()


def test_an_extension_reaches_the_gradebook_the_penalty_and_the_report(course):
    """Does ``workbook extend`` set each student's due date where nbgrader's late penalty
    reads it (the submission's extension), and does the report say what was granted?"""
    shutil.rmtree(course / "submitted")     # nothing to grade again: these are made up
    run = workbook(course, "extend", A1, "bo", "--days", "2")
    assert "bo: 01_forward_pass due " in run.stdout
    workbook(course, "extend", A1, "cy", "--excuse")
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        bo, cy = gb.find_submission(A1, "bo"), gb.find_submission(A1, "cy")
        assert bo.extension == timedelta(days=2) and cy.extension == EXCUSED
        assert bo.duedate == DUE.replace(tzinfo=None) + timedelta(days=2)
        assert bo.total_seconds_late == 0        # 5 hours late, within the extension
    granted = read_extensions(course)[A1]
    assert student_due(DUE, granted["cy"]) is None
    write_report(course)
    page = (course / "report" / "report.html").read_text()
    assert "(excused from the late penalty)" in page and "(extended)" in page

    workbook(course, "extend", A1, "bo", "--clear")
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        assert gb.find_submission(A1, "bo").extension == timedelta(0)
    assert "bo" not in read_extensions(course)[A1]
    refused = workbook(course, "extend", A1, "nobody", "--days", "1", check=False)
    assert refused.returncode == 2 and "not in the gradebook's students: nobody" in refused.stderr


def test_a_report_on_one_assignment_leaves_the_whole_one_alone(course):
    """Does ``workbook report A`` write its own folder instead of replacing report/?"""
    workbook(course, "report")
    whole = (course / "report" / "report.html").read_text()
    run = workbook(course, "report", A1)
    assert f"report/{A1}/report.html" in run.stdout and "left as it was" in run.stderr
    assert (course / "report" / "report.html").read_text() == whole
    assert A3 not in (course / "report" / A1 / "cells.csv").read_text()


def test_the_rosters_lms_ids_reach_the_gradebook_and_the_hubs_logins(tmp_path):
    """Do a roster's LMS columns reach the course copy's roster and its gradebook (nbgrader's
    own import), and does a course config that names an LMS give the hub LTI launches,
    mapped to the roster, instead of passwords?"""
    from instructor.authoring.courses import nbgrader
    from instructor.hub import lti_settings
    from instructor.hub.config import HubOptions, hub_config
    from instructor.hub.system import read_roster, write_roster

    (tmp_path / "hub.csv").write_text(
        "id,first_name,last_name,email,lms_user_id,sis_user_id,sis_login_id,section\n"
        "ada,Ada,Lovelace,ada@example.edu,1001,S-1,ada.l,A\nbo,Bo,Li,,1002,,,B\n")
    roster = read_roster(tmp_path / "hub.csv")
    course = tmp_path / "course"
    course.mkdir()
    shutil.copy(ROOT / "nbgrader_config.py", course)
    write_roster(roster, course / "roster.csv")
    assert (course / "roster.csv").read_text().splitlines()[0] == (
        "id,first_name,last_name,email,lms_user_id,sis_user_id,sis_login_id,section")
    nbgrader(course, "db", "student", "import", "roster.csv")
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        assert {s.id: s.lms_user_id for s in gb.students} == {"ada": "1001", "bo": "1002"}

    assert lti_settings(roster, {}, course) == ""        # no LMS: passwords (PAM)
    with open(course / "nbgrader_config.py", "a") as config:
        config.write("\nc.LtiPlatform.issuer = 'https://lms.example.edu'\n"
                     "c.LtiPlatform.client_id = '42'\n"
                     "c.LtiPlatform.authorize_url = 'https://lms.example.edu/authorize'\n"
                     "c.LtiPlatform.jwks_url = 'https://lms.example.edu/jwks'\n")
    lines = lti_settings(roster, {"9": "instructor"}, course)
    text = hub_config(HubOptions(), {"ada": "x", "bo": "y"}, 1, 2, lines)
    compile(text, "jupyterhub_config.py", "exec")
    assert "instructor.lms.lti.WorkbookLTI13Authenticator" in text and "PAM" not in text
    assert "{'1001': 'ada', '1002': 'bo', '9': 'instructor'}" in text


def test_the_demo_keeps_its_made_up_students_in_a_course_of_its_own(tmp_path):
    """Does the demo build its own course (``demo/``), hand in as ``nbgrader submit`` would
    (receipts included), and leave the course it was started in without a student?"""
    from instructor.demo import STUDENTS, make_demo_course, make_submissions

    repository = tmp_path / "repository"
    for assignment in (A1, A3):
        for folder in ("source", "release"):
            shutil.copytree(ROOT / folder / assignment, repository / folder / assignment)
    shutil.copy(ROOT / "nbgrader_config.py", repository)
    demo = make_demo_course(repository)
    assert demo == repository / "demo"
    assert make_submissions(demo) == [A1, A3]
    for student in STUDENTS:
        handin = demo / "submitted" / student / A1
        assert (handin / "timestamp.txt").exists() and (handin / "submission_secret.txt").exists()
    with Gradebook(f"sqlite:///{demo / 'gradebook.db'}") as gb:
        assert {a.name for a in gb.assignments} == {A1, A3}
    assert not (repository / "gradebook.db").exists()
    assert not (repository / "submitted").exists()


@pytest.mark.skipif(os.geteuid() != 0, reason="owners come back only for root (the hub)")
def test_a_restore_as_root_gives_each_file_back_to_its_owner(course, tmp_path):
    """Run as root (as the hub's restore is), does each file come back with its owner and
    mode, so that a student still owns what they handed in?"""
    inbound = tmp_path / "exchange" / "backprop-workbook" / "inbound" / "ada+01_forward_pass+1"
    os.chown(inbound / "forward_pass.ipynb", 65534, 65534)
    (inbound / "forward_pass.ipynb").chmod(0o640)
    archive = tmp_path / "term.tar.gz"
    backup(course, archive, exchange=tmp_path / "exchange" / "backprop-workbook")
    shutil.rmtree(tmp_path / "exchange")
    restore(archive, course, exchange=tmp_path / "exchange" / "backprop-workbook")
    info = (inbound / "forward_pass.ipynb").stat()
    assert (info.st_uid, info.st_gid, info.st_mode & 0o777) == (65534, 65534, 0o640)
