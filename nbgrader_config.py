"""nbgrader configuration of the backpropagation workbook (see README.md)."""

import os
import sys

# nbgrader creates a new gradebook by running `alembic` from PATH. Called as
# `.venv/bin/nbgrader ...` without activating the venv, that PATH lacks the venv: add it.
_bin = os.path.dirname(sys.executable)
if _bin not in os.environ.get("PATH", "").split(os.pathsep):
    os.environ["PATH"] = _bin + os.pathsep + os.environ.get("PATH", "")

c = get_config()  # noqa: F821  (nbgrader injects get_config)

c.CourseDirectory.course_id = "backprop-workbook"
c.CourseDirectory.root = os.path.dirname(os.path.abspath(__file__))
# Gradebook: embedded SQLite in the course folder by default; point WORKBOOK_DB_URL at
# PostgreSQL (postgresql+psycopg://user@host/db) when several graders share one.
c.CourseDirectory.db_url = os.environ.get(
    "WORKBOOK_DB_URL",
    "sqlite:///" + os.path.join(c.CourseDirectory.root, "gradebook.db"),
)
# *.pct.py: the notebooks' text twins (instructor/release.py), which hold the solutions;
# *.key.json: the answer keys of `workbook grade` (instructor/grading/keys.py). Neither is
# released, copied into a grading folder or shown to a kernel.
c.CourseDirectory.ignore = [
    ".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback", ".*", "*.pct.py", "*.key.json",
]

# Students see a stub that fails loudly until they replace it.
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"

# Grading: a cell that runs longer than this is stopped and scores 0.
c.Execute.timeout = 60
c.Execute.interrupt_on_timeout = True
# A student who deleted a graded cell gets it back (and scores 0 on it) instead of a crash.
c.OverwriteCells.add_missing_cells = True
# Warnings on stderr (a RuntimeWarning from student code, a matplotlib notice) must not turn a
# passing test cell into a failing one.
# The look-behind keeps the search linear in the output's length: without it, a long run of
# letters on stderr costs quadratic time (30 s for 60 KB).
c.IgnorePattern.enabled = True
c.IgnorePattern.pattern = r"(?<!\w)\w*Warning: "

# Keep feedback and grading output readable when a student prints in a loop.
c.LimitOutput.max_lines = 300
c.LimitOutput.max_traceback = 100

c.Exchange.root = os.path.join(c.CourseDirectory.root, ".exchange")
# nbgrader's release_feedback and formgrader refuse an exchange folder that does not exist.
try:
    os.makedirs(c.Exchange.root, exist_ok=True)
except OSError:
    pass   # a read-only copy: only the exchange commands need it

# nbgrader's own commands (and formgrader's buttons) use the course's parts, from
# instructor/nbgrader_hooks.py, so that they agree with `workbook grade` and `workbook feedback`:
# - autograde restores test cells without warning that every untouched one "has changed"
#   (jupyter/nbgrader#1961); a cell a student really changed is still reported and restored;
c.Autograde.sanitize_preprocessors = [
    "nbgrader.preprocessors.ClearOutput",
    "nbgrader.preprocessors.DeduplicateIds",
    "nbgrader.preprocessors.OverwriteKernelspec",
    "instructor.nbgrader_hooks.OverwriteCells",
    "nbgrader.preprocessors.CheckCellMetadata",
]
# - generate_feedback (formgrader's "Generate Feedback") writes the course's own pages, the
#   ones `workbook feedback` writes (math rendered, what a person set shown as such, no
#   hidden test);
c.GenerateFeedback.exporter_class = "instructor.nbgrader_hooks.FeedbackExporter"
c.GenerateFeedback.preprocessors = []
# - late hand-ins: due dates live in the gradebook (`nbgrader db assignment add ID
#   --duedate="2027-01-15 17:00:00 Europe/London"`, or formgrader's "Manage Assignments");
#   a notebook handed in late loses 10% of its score for every day, or part of one, it is late.
c.AssignLatePenalties.plugin_class = "instructor.nbgrader_hooks.PercentPerDay"
c.PercentPerDay.percent = 10.0

# The LMS (README: "Grades in the LMS"). Students launch the hub from the LMS over LTI 1.3 and
# `workbook grades push ASSIGNMENT` posts scores back; the values come from registering the
# tool with the LMS. None of them is secret: the tool's private key is a file outside the
# course (c.LtiPlatform.key_file, default ~/.config/backprop-workbook/lti-tool-key.pem, made
# by `workbook grades key`). For example, for Canvas:
# c.LtiPlatform.issuer = "https://canvas.instructure.com"
# c.LtiPlatform.client_id = "10000000000042"
# c.LtiPlatform.deployment_id = "17:8865aa05b4b79b64a91a86042e43af5ea8ae79eb"
# c.LtiPlatform.authorize_url = "https://sso.canvaslms.com/api/lti/authorize_redirect"
# c.LtiPlatform.jwks_url = "https://sso.canvaslms.com/api/lti/security/jwks"
# c.LtiPlatform.token_url = "https://sso.canvaslms.com/login/oauth2/token"
# c.LtiPlatform.lineitems_url = "https://canvas.example.edu/api/lti/courses/42/line_items"
# report/canvas.csv: SIS ids and sections from a roster CSV (id, sis_user_id, sis_login_id,
# section), and the Canvas assignment each column fills ("Name (Canvas assignment id)").
# c.CanvasExport.roster = "roster.csv"
# c.CanvasExport.columns = {"01_forward_pass": "Forward pass (1234)"}
