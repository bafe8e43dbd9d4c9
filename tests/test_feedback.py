"""Feedback pages on crafted autograded notebooks (no grader run): what a student may see.

A page shows the outputs of the student's own run (the hand-in), never what the graded kernel
printed or raised (student code there ran next to the hidden tests' inputs); a test cell shows
its name, its score, the grader's own messages and only the *names* of its errors. Outputs
are escaped and validated, hidden-test lines never appear, math is MathML, long outputs fold,
rendering stays linear on adversarial markdown, and the page opens with the scores and the
first thing to fix. One page is opened in Chromium and saved to ``test-artifacts/feedback/``.
"""

import base64
import html
import io
import re
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from instructor.feedback import render
from instructor.graded import CellGrade, GradedNotebook
from instructor.pages import image, markdown, sanitize_mathml
from instructor.vocabulary import DECIDED, hidden_lines

from lab_server import CHROMIUM, CHROMIUM_ARGS

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "test-artifacts" / "feedback"
SECRET = "assert abs(answer - 42.125) < 1e-9, 'secret check'"
SECRET_2 = "check_close(layer(np.ones(3)), [0.5, 1.5, 2.5])"
HIDDEN_TEST = f"""check_number(answer)
### BEGIN HIDDEN TESTS
{SECRET}
{SECRET_2}
### END HIDDEN TESTS"""


def png_bytes():
    import matplotlib

    matplotlib.use("agg")
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(figsize=(3, 2))
    axes.plot([0, 1, 2], [2, 0, 1])
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    plt.close(figure)
    return buffer.getvalue()


def meta(grade_id, solution=False, grade=False, points=0, locked=False):
    return {"nbgrader": {"grade_id": grade_id, "solution": solution, "grade": grade,
                         "points": points, "locked": locked, "schema_version": 3}}


def display(mime, data):
    return new_output("display_data", data={mime: data, "text/plain": "<Figure>"})


def crafted():
    """``(autograded, handed in, source)``: two answers and two tests. In the graded run the
    answer cell prints the hidden test (as a student reading ``In`` would) and raises with it;
    the hand-in holds the student's own run, with every kind of hostile output."""
    source = new_notebook(cells=[
        new_markdown_cell("The loss is $-\\log \\hat{o}_y$ and $$J = \\frac{1}{m}\\sum_i L_i$$"),
        new_code_cell("answer = 42.125", metadata=meta("answer", solution=True)),
        new_code_cell(HIDDEN_TEST, metadata=meta("test_answer", grade=True, points=2, locked=True)),
        new_code_cell("layer = lambda x: x", metadata=meta("layer", solution=True)),
        new_code_cell(HIDDEN_TEST, metadata=meta("test_layer", grade=True, points=3, locked=True)),
        new_code_cell("plot_it()", metadata=meta("given", locked=True)),
    ])
    graded = nbformat.from_dict(nbformat.reads(nbformat.writes(source), 4))
    answer, test, blank, test2, given = graded.cells[1:]
    answer.source = "answer = 42\nprint(In[-1])"
    test.source = test2.source = "check_number(answer)"
    answer.outputs = [   # the graded run: none of this may reach the page
        new_output("stream", name="stdout", text=f"GRADED-RUN {SECRET} {HIDDEN_TEST!r}\n"),
        new_output("error", ename="ValueError", evalue=f"smuggled {SECRET_2}",
                   traceback=[f"ValueError: smuggled {SECRET_2}"]),
    ]
    test.outputs = [new_output("error", ename="AssertionError",
                               evalue=f"secret check\n{SECRET}",
                               traceback=[f"  {SECRET}", "AssertionError: secret check"])]
    blank.source = "raise NotImplementedError()"
    blank.outputs = [new_output("error", ename="NotImplementedError", evalue="",
                                traceback=["NotImplementedError: "])]
    test2.outputs = [new_output("error", ename="CheckError", evalue="`layer(x)` is wrong",
                                traceback=["CheckError: `layer(x)` is wrong"])]
    test2.metadata[DECIDED] = [{"by": "key", "text": "`layer(x)` is wrong"}]
    given.outputs = [new_output("error", ename="Sneaky" + SECRET_2, evalue="x",
                                traceback=["x"])]
    handed_in = nbformat.from_dict(nbformat.reads(nbformat.writes(graded), 4))
    for cell in handed_in.cells:
        if cell.cell_type == "code":
            cell.outputs = []
    handed_in.cells[1].outputs = [
        new_output("stream", name="stdout", text="my answer\n"),
        new_output("execute_result", data={"text/plain": "'my own repr'"}, execution_count=1),
        new_output("display_data", data={"text/html": "<script>alert('x')</script>",
                                          "image/svg+xml": "<svg onload='alert(1)'></svg>",
                                          "text/plain": "<b>plain</b>"}),
        display("image/png", base64.b64encode(b"<script>not a png</script>").decode()),
        display("image/jpeg", base64.b64encode(b"GIF89a...").decode()),
        new_output("stream", name="stdout", text="\n".join(f"line {i}" for i in range(80))),
    ]
    handed_in.cells[5].outputs = [display("image/png", base64.b64encode(png_bytes()).decode())]
    return graded, handed_in, source


class Crafted(GradedNotebook):
    """A graded notebook whose two notebooks are given, not read from a course folder."""

    def __init__(self, graded, handed_in, **fields):
        super().__init__(Path("."), "student1", "01_demo", "demo", **fields)
        self._graded, self._handed_in = graded, handed_in

    def graded(self):
        return self._graded

    def handed_in(self):
        return self._handed_in


def secrets_of(source):
    return frozenset(line for cell in source.cells for line in hidden_lines(cell.source) if line)


@pytest.fixture(scope="module")
def page():
    graded, handed_in, source = crafted()
    cells = {"test_answer": CellGrade(0, 2, 0), "test_layer": CellGrade(1, 3, 0, 1, "see me")}
    return render(Crafted(graded, handed_in, score=1, max_score=5, cells=cells),
                  secrets_of(source))


def test_nothing_the_graded_kernel_printed_or_raised_appears(page):
    """Is every output of the graded run kept off the page, hidden-test lines or not?"""
    text = html.unescape(re.sub(r"<img[^>]*>", "", page))
    for line in (SECRET, SECRET_2, "42.125", "0.5, 1.5, 2.5", "GRADED-RUN", "smuggled",
                 "secret check", "Sneaky"):
        assert line not in text
    assert "my answer" in text and "my own repr" in text    # the student's own run
    assert "BEGIN HIDDEN" not in text


def test_test_cells_show_name_score_and_the_graders_words_only(page):
    """Does a test cell show its score, the grader's own message and only the name of an
    error the kernel raised, and a score a person changed as such?"""
    assert "Test test_answer: 0 / 2" in page
    assert "AssertionError in the test&#x27;s visible checks" in page
    assert "`layer(x)` is wrong" in page
    assert "Your instructor set this score to 1 (the grader gave 0)." in page
    assert "Comment: see me" in page


def test_no_student_html_svg_or_fake_image_is_inserted(page):
    """Is no HTML, SVG or fake image of the student's inserted into the page?"""
    assert "<script" not in page and "<svg" not in page and "onload" not in page
    assert "&lt;b&gt;plain&lt;/b&gt;" in page
    assert page.count("<img") == 1     # only the real PNG of the hand-in
    assert "not a valid image" in page


def test_the_students_own_picture_is_shown_from_the_hand_in(page):
    """Is the student's own picture shown, from the hand-in?"""
    img = re.search(r"<img alt='figure' src='data:image/png;base64,([^']+)'>", page)
    assert img and base64.b64decode(img.group(1)).startswith(b"\x89PNG")


def test_math_is_mathml_not_raw_latex(page):
    """Is math rendered as MathML, not left as raw LaTeX?"""
    assert "<math" in page and "display=\"block\"" in page
    assert "\\log" not in page and "$" not in page


def test_long_outputs_fold_and_the_top_says_what_to_fix(page):
    """Do long outputs fold, and does the top of the page say what to fix first?"""
    assert "<details><summary>output: 80 lines" in page
    top = page[:page.index("<hr>")]
    assert "First thing to fix" in top and "test_answer" in top
    assert "test_layer" in top and "1 / 3" in top
    assert "your answer is not written yet" in page


def test_images_are_kept_only_if_they_decode_as_what_they_claim():
    """Are images kept only when they decode as the type they claim?"""
    png = base64.b64encode(png_bytes()).decode()
    assert image("image/png", png).startswith("<img")
    assert image("image/png", "iVBORw0KGgo" + "!!!") is None
    assert image("image/jpeg", png) is None
    assert image("image/svg+xml", png) is None


def test_markdown_escapes_html_and_sanitizes_mathml():
    """Does markdown escape the student's HTML and keep only MathML's elements?"""
    out = markdown("$\\text{<b>hi</b>} < 3$ and `$not math$` <script>x</script>")
    assert "<script" not in out and "<b>" not in out
    assert "<code>$not math$</code>" in out and "<math" in out
    assert sanitize_mathml('<math><mi onclick="x">a</mi><img src=x></math>') == \
        "<math><mi>a</mi>&lt;img src=x&gt;</math>"


@pytest.mark.slow
def test_the_page_in_chromium(page, tmp_path):
    """Does the page render in Chromium, math included, at a readable height?"""
    playwright = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        pytest.skip(f"no Chromium at {CHROMIUM}")
    path = tmp_path / "demo.html"
    path.write_text(page)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        tab = browser.new_page(viewport={"width": 1000, "height": 900})
        tab.goto(path.as_uri())
        assert tab.locator("math").count() == 2
        height = tab.evaluate("document.body.scrollHeight")
        tab.screenshot(path=ARTIFACTS / "feedback.png", full_page=True)
        browser.close()
    assert height < 3000


@pytest.mark.parametrize("pattern", ["$$ a", "$a ", "\\[", "`x", "*a", "[a](", "<a "])
def test_rendering_adversarial_markdown_is_linear(pattern):
    """Does formatting twice as much adversarial markdown take about twice as long, not four
    times (a page of unclosed math once took minutes)?"""
    import time

    def seconds(n):
        started = time.perf_counter()
        markdown(pattern * n)
        return time.perf_counter() - started

    seconds(200)
    small, large = seconds(2000), seconds(8000)
    assert large < 8 * small + 0.5, (small, large)     # linear: about 4 times


def test_a_markdown_cell_past_its_cap_is_shown_as_text():
    """Is a megabyte of markdown shown as plain, escaped text instead of formatted?"""
    huge = "$$ <script>" * 100_000
    out = markdown(huge, limit=32 * 1024)
    assert "<script" not in out and "<math" not in out and "too long to format" in out


def test_a_given_cell_failing_for_want_of_an_answer_says_so_in_one_line():
    """On a blank page, does each given cell that failed because an answer is not written yet
    say so in one line, instead of repeating the same red traceback?"""
    cells = [new_code_cell("raise NotImplementedError()", metadata=meta("relu", solution=True))]
    cells += [new_code_cell(f"draw(relu, {i})", metadata=meta(f"given{i}", locked=True))
              for i in range(5)]
    graded = new_notebook(cells=cells)
    handed_in = nbformat.from_dict(nbformat.reads(nbformat.writes(graded), 4))
    handed_in.cells[0].outputs = [new_output("error", ename="NotImplementedError", evalue="",
                                             traceback=["NotImplementedError: "])]
    for cell in handed_in.cells[1:]:
        cell.outputs = [new_output("stream", name="stdout", text="drawing\n"),
                        new_output("error", ename="NameError", evalue="name 'h1' is not defined",
                                   traceback=["Traceback ...", "NameError: h1 is not defined"])]
    page = render(Crafted(graded, handed_in, score=0, max_score=0, cells={}))
    assert page.count("Traceback") == 0 and "NameError" not in page
    assert page.count("This cell could not run: it uses an answer that is not written yet "
                      "(the first is <a href='#relu'>relu</a>)") == 5
    assert page.count("drawing") == 5          # what the cell printed before it failed stays


def test_a_score_set_by_hand_comes_before_what_the_grader_found():
    """When a person gave full marks to a test cell the grader failed, does the page say so
    first, and not show the cell as failed?"""
    graded, handed_in, source = crafted()
    cells = {"test_answer": CellGrade(2, 2, 0, 2), "test_layer": CellGrade(1, 3, 0, 1, "see me")}
    page = render(Crafted(graded, handed_in, score=3, max_score=5, cells=cells),
                  secrets_of(source))
    block = page.split("id='test_answer'>", 1)[1].split("</div></div>", 1)[0]
    assert "Your instructor set this score to 2 (the grader gave 0)." in block
    assert block.index("Your instructor set") < block.index("What the grader found before")
    assert "<div class='test' id='test_answer'>" in page
    assert "test_answer 2 / 2 (set by your instructor)" in re.sub(r"<[^>]+>", "", page)


def test_a_written_answer_shows_its_score_or_that_a_person_grades_it():
    """Does a written answer graded by a person show its score and comment, and one nobody
    has graded yet say so without counting as lost?"""
    cell = new_markdown_cell("Depth needs a nonlinearity because ...",
                             metadata=meta("why_depth", solution=True, grade=True, points=3))
    graded = new_notebook(cells=[cell])
    waiting = render(Crafted(graded, graded, score=0, max_score=3,
                             cells={"why_depth": CellGrade(0, 3)}))
    assert "why_depth: to be graded by your instructor" in waiting
    assert "Every graded cell earned full marks" in waiting or "First thing" not in waiting
    done = render(Crafted(graded, graded, score=2, max_score=3,
                          cells={"why_depth": CellGrade(2, 3, None, 2, "Say why it collapses")}))
    assert "why_depth: 2 / 3" in done and "Graded by your instructor: 2 / 3." in done
    assert "Comment: Say why it collapses" in done and "Depth needs a nonlinearity" in done


def test_a_hand_in_full_of_output_makes_a_page_of_bounded_size():
    """Does a hand-in whose own run printed megabytes in every cell make a page of at most a
    few megabytes (each cell's text cut, the page's outputs capped)?"""
    cells = [new_code_cell(f"x{i} = 1", metadata=meta(f"a{i}", solution=True))
             for i in range(60)]
    graded = new_notebook(cells=cells)
    handed_in = nbformat.from_dict(nbformat.reads(nbformat.writes(graded), 4))
    for cell in handed_in.cells:
        cell.outputs = [new_output("stream", name="stdout", text="y" * 2_000_000)]
    page = render(Crafted(graded, handed_in, score=0, max_score=0, cells={}))
    assert len(page) < 10 * 1024 * 1024
    assert "output cut" in page and "outputs of this cell are left out" in page
