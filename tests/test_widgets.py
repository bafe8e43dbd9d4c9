"""Do the explorers and training plots work live, and degrade to pictures when headless?"""


import nbformat
import numpy as np
import pytest
from nbclient import NotebookClient
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from instructor.authoring.courses import venv_env
from workbook import widgets
from workbook.data import cos324_network

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"

# A notebook that uses every helper with small functions given right here, the way the
# assignments do with the student's own functions. The browser test opens it too.
DEMO_CELLS = [
    ("code", """\
import matplotlib.pyplot as plt
import numpy as np
from workbook.data import cos324_network
from workbook.diagrams import draw_computation_graph, draw_network
from workbook.widgets import LiveLossPlot, delta_explorer, forward_explorer, plot_predictions

net = cos324_network()
x, W1, W2, w_out = net["x"], net["W1"], net["W2"], net["w_out"]

def relu(z):
    return np.maximum(z, 0)

def layers(x, W1, W2, w_out):
    h1 = relu(W1 @ x)
    h2 = relu(W2 @ h1)
    return [h1, h2, w_out @ h2]"""),
    ("markdown", "## The network"),
    ("code", """\
draw_network([W1, W2, w_out], convention="column", values=[x, *layers(x, W1, W2, w_out)])
plt.show()"""),
    ("markdown", "## A computation graph"),
    ("code", """\
nodes = {"a": {"label": "a", "value": 5.0}, "b": {"label": "b", "value": 3.0},
         "u": {"label": "u = 2b", "value": 6.0}, "L": {"label": "L = a + u", "value": 11.0}}
draw_computation_graph(nodes, [("b", "u"), ("a", "L"), ("u", "L")])
plt.show()"""),
    ("markdown", "## Delta explorer"),
    ("code", """\
delta_explorer(lambda W: layers(x, W, W2, w_out)[-1], W1, (1, 1), name="W1[1,1]")"""),
    ("markdown", "## Forward explorer"),
    ("code", """\
forward_explorer(lambda x, W: layers(x, *W), x, [W1, W2, w_out], convention="column")"""),
    ("markdown", "## Live loss"),
    ("code", """\
w = 0.0
with LiveLossPlot(every=0.0) as plot:
    for step in range(1, 6):
        w -= 0.2 * 2 * (w - 3.0)
        plot.add(step, (w - 3.0) ** 2)"""),
    ("markdown", "## Predictions"),
    ("code", """\
plot_predictions(np.arange(5.0), np.arange(5.0) + 0.5)
plt.show()"""),
]


def demo_notebook(path):
    """Write the demo notebook (no outputs) to ``path``."""
    cells = [new_code_cell(text) if kind == "code" else new_markdown_cell(text)
             for kind, text in DEMO_CELLS]
    nb = new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"display_name": "Python 3 (ipykernel)", "language": "python",
                                 "name": "python3"}
    nbformat.write(nb, path)
    return path


def relu(z):
    return np.maximum(z, 0)


def layers(x, W1, W2, w_out):
    h1 = relu(W1 @ x)
    h2 = relu(W2 @ h1)
    return [h1, h2, w_out @ h2]


@pytest.fixture
def net():
    return cos324_network()


@pytest.mark.slow
def test_headless_notebook_shows_pictures_and_nothing_on_stderr(tmp_path):
    """Executed like nbgrader does, does each helper give a PNG, no widget, no warning?"""
    path = demo_notebook(tmp_path / "demo.ipynb")
    nb = nbformat.read(path, as_version=4)
    env = venv_env(drop=("JPY_SESSION_NAME", "WORKBOOK_PICTURES", "MPLBACKEND"))
    client = NotebookClient(nb, timeout=120, kernel_name="python3",
                            resources={"metadata": {"path": str(tmp_path)}})
    client.execute(env=env)
    code = [c for c in nb.cells if c.cell_type == "code"]
    for cell in code:
        kinds = [o.output_type for o in cell.outputs]
        assert "error" not in kinds, cell.source
        assert not [o for o in cell.outputs
                    if o.output_type == "stream" and o.name == "stderr"], cell.outputs
        assert not [o for o in cell.outputs if WIDGET_VIEW in o.get("data", {})], cell.source
    for cell in code[1:]:
        pictures = [o for o in cell.outputs if "image/png" in o.get("data", {})]
        assert len(pictures) == 1, (cell.source, cell.outputs)


def test_live_frontend_follows_the_environment(monkeypatch):
    """Is the frontend live only under Jupyter Server or when forced, and static otherwise?"""
    monkeypatch.delenv("JPY_SESSION_NAME", raising=False)
    monkeypatch.delenv("WORKBOOK_PICTURES", raising=False)
    assert widgets.live_frontend() is False  # plain Python: no kernel
    monkeypatch.setenv("WORKBOOK_PICTURES", "live")
    assert widgets.live_frontend() is True
    monkeypatch.setenv("WORKBOOK_PICTURES", "static")
    monkeypatch.setenv("JPY_SESSION_NAME", "a.ipynb")
    assert widgets.live_frontend() is False
    monkeypatch.setenv("WORKBOOK_PICTURES", "off")     # the one switch, graded runs too
    assert widgets.pictures_off() and not widgets.live_frontend()


def test_delta_explorer_calls_the_given_function_on_a_copy(net):
    """Does the slider nudge one entry of a copy and report the change the function gives?"""
    W1 = net["W1"].copy()
    calls = []

    def output(W):
        calls.append(W.copy())
        return layers(np.array([[3.0], [1.0], [2.0]]), W, net["W2"], net["w_out"])[-1]

    explorer = widgets.DeltaExplorer(output, W1, (1, 1), span=1.0, live=True)
    np.testing.assert_array_equal(W1, net["W1"])
    explorer.slider.value = 0.5
    changed = [W for W in calls if not np.array_equal(W, net["W1"])]
    assert changed and all(np.count_nonzero(W != net["W1"]) == 1 for W in changed)
    assert all(W[1, 1] != net["W1"][1, 1] for W in changed)
    assert "Δoutput/Δw" in explorer.readout.value
    before = explorer.image.value
    explorer.slider.value = -0.5
    assert explorer.image.value != before
    assert explorer.image.value[:8] == b"\x89PNG\r\n\x1a\n"


def test_delta_explorer_rejects_a_function_returning_many_numbers(net):
    """Is an output function that returns a vector refused with a clear message?"""
    with pytest.raises(ValueError, match="one number"):
        widgets.DeltaExplorer(lambda W: W @ np.ones(3), net["W1"], (0, 0), live=False)


def test_slider_error_is_shown_next_to_the_slider():
    """Does an exception raised by the student's function appear in the readout?"""
    def fragile(x, weights):
        if x[0] > 2.5:
            raise ZeroDivisionError("boom")
        return [x @ weights[0]]

    explorer = widgets.ForwardExplorer(fragile, np.array([1.0]), [np.ones((1, 1))], live=True)
    explorer.sliders[0].value = 3.0
    assert "ZeroDivisionError: boom" in explorer.readout.value


def test_forward_explorer_input_slider_changes_the_picture(net):
    """Does moving an input slider rerun the forward pass and redraw the values?"""
    weights = [net["W1"], net["W2"], net["w_out"]]
    explorer = widgets.ForwardExplorer(lambda x, W: layers(x, *W), net["x"], weights,
                                       convention="column", live=True)
    assert [s.description for s in explorer.sliders] == ["x1", "x2", "x3"]
    before_image, before_text = explorer.image.value, explorer.readout.value
    explorer.sliders[0].value = 3.0
    assert explorer.x[0, 0] == 3.0
    assert explorer.readout.value != before_text
    assert explorer.image.value != before_image


def test_forward_explorer_weight_slider_uses_the_convention(net):
    """Does a slider on edge (0, 0, 1) move W1[1, 0] in the column convention?"""
    weights = [net["W1"], net["W2"], net["w_out"]]
    explorer = widgets.ForwardExplorer(lambda x, W: layers(x, *W), net["x"], weights,
                                       convention="column", vary=[(0, 0, 1)], live=True)
    assert explorer.sliders[0].description == "W1[1,0]"
    explorer.sliders[0].value = 0.5
    assert explorer.weights[0][1, 0] == 0.5
    assert net["W1"][1, 0] == -1  # the caller's array is untouched


def test_forward_explorer_checks_the_number_of_layers(net):
    """Is a forward function returning the wrong number of layers reported?"""
    with pytest.raises(ValueError, match="returned 1 arrays"):
        widgets.ForwardExplorer(lambda x, W: [x], net["x"], [net["W1"], net["W2"]],
                                convention="column", live=False)


def test_static_explorer_displays_as_a_png(net):
    """Without a frontend, is an explorer one PNG picture and no widget?"""
    explorer = widgets.DeltaExplorer(lambda W: W.sum(), net["W1"], (0, 1), live=False)
    bundle = explorer._repr_mimebundle_()
    assert explorer.widget is None
    assert set(bundle) == {"image/png", "text/plain"}
    assert "Δoutput/Δw" in bundle["text/plain"]


def test_live_loss_plot_records_and_draws(monkeypatch):
    """Does the loss plot keep every point and draw one picture when closed headless?"""
    shown = []
    monkeypatch.setattr(widgets.LiveLossPlot, "_show", lambda self: shown.append(len(self.steps)))
    with widgets.LiveLossPlot(live=False) as plot:
        for step, loss in [(100, 3.0), (200, np.array([2.0])), (300, np.float32(1.0))]:
            plot.add(step, loss)
    assert plot.steps == [100, 200, 300] and plot.losses == [3.0, 2.0, 1.0]
    assert shown == [3]
    assert plot.render()[:4] == b"\x89PNG"
    with pytest.raises(ValueError, match="one number"):
        plot.add(400, np.ones(2))


def test_live_loss_plot_redraws_while_training_when_live(monkeypatch):
    """With a frontend, does each point redraw the plot (when not throttled)?"""
    shown = []
    monkeypatch.setattr(widgets.LiveLossPlot, "_show", lambda self: shown.append(len(self.steps)))
    with widgets.LiveLossPlot(live=True, every=0.0) as plot:
        for step in range(1, 4):
            plot.add(step, 1.0 / step)
    assert shown == [1, 2, 3, 3]


def test_plot_predictions_draws_points_and_the_diagonal():
    """Are the points at (target, prediction), and mismatched sizes refused?"""
    ax = widgets.plot_predictions(np.array([[1.0], [2.0]]), np.array([1.5, 2.5]))
    offsets = ax.collections[0].get_offsets()
    np.testing.assert_allclose(offsets, [[1.0, 1.5], [2.0, 2.5]])
    with pytest.raises(ValueError, match="entries"):
        widgets.plot_predictions(np.ones(3), np.ones(2))
