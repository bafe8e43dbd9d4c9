"""Is the layout of the pictures right, and does the rendering draw what it is given?"""

import matplotlib.pyplot as plt
import numpy as np
import pytest

from workbook.data import cos324_network, figure8_weights
from workbook.diagrams import (
    derivative_path,
    draw_computation_graph,
    draw_network,
    edge_label_positions,
    graph_depths,
    graph_path,
    graph_positions,
    layer_sizes,
    network_edges,
    node_positions,
)

# Seed 001's computation graph L = 3(a + bc) with u = bc, v = a + u.
GRAPH_NODES = {
    "a": {"label": "a", "value": 5.0, "grad": 3.0},
    "b": {"label": "b", "value": 3.0, "grad": 6.0},
    "c": {"label": "c", "value": 2.0, "grad": 9.0},
    "u": {"label": "u = bc", "value": 6.0, "grad": 3.0},
    "v": {"label": "v = a + u", "value": 11.0, "grad": 3.0},
    "L": {"label": "L = 3v", "value": 33.0, "grad": 1.0},
}
GRAPH_EDGES = [("b", "u"), ("c", "u"), ("a", "v"), ("u", "v"), ("v", "L")]


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


@pytest.fixture
def cos324():
    net = cos324_network()
    return [net["W1"], net["W2"], net["W_out"]]


def texts(ax):
    return [t.get_text() for t in ax.texts]


def test_layer_sizes_read_both_conventions(cos324):
    """Are the seeds' networks 3-2-2-3 (column convention) and 2-3-2-1 (row convention)?"""
    assert layer_sizes(cos324, "column") == [3, 2, 2, 3]
    assert layer_sizes(list(figure8_weights().values()), "row") == [2, 3, 2, 1]


def test_layer_sizes_reject_the_wrong_convention(cos324):
    """Is a column-convention network read as rows refused with a hint?"""
    with pytest.raises(ValueError, match="convention"):
        layer_sizes(cos324, "row")
    with pytest.raises(ValueError, match="convention must be"):
        layer_sizes(cos324, "columns")


def test_network_edges_follow_the_convention(cos324):
    """Is edge (layer 0, node 1 -> node 0) W1[0, 1] with columns and W[1, 0] with rows?"""
    column = {e[:3]: e[3] for e in network_edges(cos324, "column")}
    assert len(column) == 16  # the seed's weight count for 3-2-2-3
    assert column[(0, 1, 0)] == -3  # W1[0, 1]: from x2 to h1
    assert column[(2, 0, 2)] == 1  # W_out[2, 0]
    rows = {e[:3]: e[3] for e in network_edges(list(figure8_weights().values()), "row")}
    assert rows[(1, 1, 1)] == 0.03  # seed 002's w^(2)_{2,2}
    assert rows[(2, 1, 0)] == 0.07  # w^(3)_{2,1}


def test_node_positions_are_columns_centred_on_zero():
    """One column per layer, left to right, each centred vertically, node 0 on top?"""
    pos = node_positions([3, 2, 1])
    assert [p.shape for p in pos] == [(3, 2), (2, 2), (1, 2)]
    assert pos[0][0, 0] < pos[1][0, 0] < pos[2][0, 0]
    for p in pos:
        assert np.isclose(p[:, 1].mean(), 0)
        assert np.all(np.diff(p[:, 1]) < 0)


def test_edge_labels_sit_on_their_edges_and_apart(cos324):
    """Is every weight label on its own edge, away from nodes and from the other labels?"""
    edges = network_edges(cos324, "column")
    pos = node_positions(layer_sizes(cos324, "column"))
    labels = edge_label_positions(pos, edges)
    assert labels.shape == (16, 2)
    for (layer, i, j, _), point in zip(edges, labels, strict=True):
        a, b = pos[layer][i], pos[layer + 1][j]
        t = np.dot(point - a, b - a) / np.dot(b - a, b - a)
        assert 0.2 <= t <= 0.8
        assert np.allclose(a + t * (b - a), point)
    gaps = np.hypot(*(labels[:, None, :] - labels[None, :, :]).transpose(2, 0, 1))
    assert np.min(gaps + np.eye(len(labels)) * 99) > 0.3
    nodes = np.concatenate(pos)
    assert np.min(np.hypot(*(labels[:, None, :] - nodes[None, :, :]).transpose(2, 0, 1))) > 0.4


def test_derivative_path_runs_from_the_weight_to_every_output():
    """Does the path of w^(1)_{22} in 3-2-2-3 go through h1_2, both h2 nodes, all outputs?"""
    path = derivative_path([3, 2, 2, 3], 0, 1, 1)
    assert path[0] == (0, 1, 1)
    assert sorted(path[1:]) == sorted(
        [(1, 1, 0), (1, 1, 1)] + [(2, a, b) for a in range(2) for b in range(3)])
    assert derivative_path([2, 3, 2, 1], 1, 1, 1) == [(1, 1, 1), (2, 1, 0)]
    with pytest.raises(ValueError, match="no edge"):
        derivative_path([2, 3, 2, 1], 2, 0, 1)


def test_graph_depths_and_positions():
    """Are a, b, c inputs, u and v one step further each, L last, left to right?"""
    depth = graph_depths(GRAPH_NODES, GRAPH_EDGES)
    assert depth == {"a": 0, "b": 0, "c": 0, "u": 1, "v": 2, "L": 3}
    pos = graph_positions(GRAPH_NODES, GRAPH_EDGES)
    assert pos["a"][0] == pos["b"][0] < pos["u"][0] < pos["v"][0] < pos["L"][0]
    assert pos["a"][1] > pos["b"][1] > pos["c"][1]
    assert pos["L"][1] == 0


def test_graph_layout_rejects_cycles_and_unknown_nodes():
    """Are a cycle and an edge to an unknown node refused?"""
    nodes = {"p": {"label": "p"}, "q": {"label": "q"}}
    with pytest.raises(ValueError, match="cycle"):
        graph_depths(nodes, [("p", "q"), ("q", "p")])
    with pytest.raises(ValueError, match="unknown node 'r'"):
        graph_depths(nodes, [("p", "r")])


def test_draw_network_writes_values_and_weights(cos324):
    """Are node values in the nodes, weights on the edges, highlighted edges thick?"""
    values = [np.array([[3.0], [1.0], [2.0]]), [3, 2], [7, 2], [-3, 16, 11]]
    ax = draw_network(cos324, convention="column", values=values, highlight=[(0, 1, 1)],
                      title="delta method")
    shown = texts(ax)
    for number in ["3", "1", "2", "7", "-3", "16", "11"]:
        assert number in shown
    assert shown.count("-2") == 1 and "-1" in shown  # W2[1, 1] and W1[1, 0] / W_out[0, 0]
    assert ax.get_title() == "delta method"
    widths = sorted(line.get_linewidth() for line in ax.lines)
    assert len(ax.lines) == 16 and widths[-1] > 2 * widths[0] and widths[-2] == widths[0]


def test_draw_network_checks_values_and_highlight(cos324):
    """Are values of the wrong sizes and highlights of missing edges refused?"""
    with pytest.raises(ValueError, match="values has sizes"):
        draw_network(cos324, convention="column", values=[np.ones(3), np.ones(2)])
    with pytest.raises(ValueError, match="do not exist"):
        draw_network(cos324, convention="column", highlight=[(0, 3, 0)])


def test_draw_network_on_a_given_axes():
    """Does it draw on the Axes it is given and return that Axes?"""
    _, ax = plt.subplots()
    assert draw_network(list(figure8_weights().values()), ax=ax) is ax


def test_draw_computation_graph_shows_values_and_gradients():
    """Are labels in the boxes, values in blue above and gradients in red below?"""
    ax = draw_computation_graph(GRAPH_NODES, GRAPH_EDGES, title="L = 3(a + bc)")
    shown = texts(ax)
    assert "u = bc" in shown and "L = 3v" in shown
    assert "a = 5" in shown and "L = 33" in shown
    assert "∂L/∂b = 6" in shown and "∂L/∂c = 9" in shown
    value = next(t for t in ax.texts if t.get_text() == "a = 5")
    grad = next(t for t in ax.texts if t.get_text() == "∂L/∂a = 3")
    assert value.get_position()[1] > grad.get_position()[1]
    assert value.get_color() != grad.get_color()
    assert len(ax.patches) == len(GRAPH_NODES) + len(GRAPH_EDGES)


def test_computation_graph_without_numbers():
    """With no values or gradients given, is only the structure drawn?"""
    nodes = {name: {"label": node["label"]} for name, node in GRAPH_NODES.items()}
    ax = draw_computation_graph(nodes, GRAPH_EDGES)
    assert sorted(texts(ax)) == sorted(node["label"] for node in nodes.values())


def test_graph_path_keeps_only_the_edges_between_source_and_target():
    """Is the path of dL/db the edges b -> u -> v -> L, and nothing reaches b from a?"""
    assert graph_path(GRAPH_EDGES, "b", "L") == {("b", "u"), ("u", "v"), ("v", "L")}
    assert graph_path(GRAPH_EDGES, "b", "v") == {("b", "u"), ("u", "v")}
    assert graph_path(GRAPH_EDGES, "a", "b") == set()
    diamond = [("x", "p"), ("x", "q"), ("p", "y"), ("q", "y"), ("z", "q")]
    assert graph_path(diamond, "x", "y") == {("x", "p"), ("x", "q"), ("p", "y"), ("q", "y")}


def test_draw_computation_graph_highlights_a_path():
    """Are the highlighted arrows drawn thick in the highlight colour, the others not?"""
    from matplotlib.colors import to_rgba
    from matplotlib.patches import FancyArrowPatch

    from workbook.diagrams import HIGHLIGHT_COLOR

    path = graph_path(GRAPH_EDGES, "c", "L")
    ax = draw_computation_graph(GRAPH_NODES, GRAPH_EDGES, highlight=path)
    arrows = [p for p in ax.patches if isinstance(p, FancyArrowPatch)]
    lit = [a for a in arrows if a.get_edgecolor() == to_rgba(HIGHLIGHT_COLOR)]
    assert len(arrows) == len(GRAPH_EDGES) and len(lit) == len(path) == 3
    assert all(a.get_linewidth() > 2 for a in lit)
    with pytest.raises(ValueError, match="do not exist"):
        draw_computation_graph(GRAPH_NODES, GRAPH_EDGES, highlight=[("a", "L")])


def test_computation_graph_laid_out_by_hand():
    """Are the boxes where ``positions`` puts them, and is a node without a place refused?"""
    places = {"a": (0, 0), "b": (0, 3), "c": (0, -3), "u": (2, 2), "v": (4, 0), "L": (6, 1)}
    ax = draw_computation_graph(GRAPH_NODES, GRAPH_EDGES, positions=places)
    label = next(t for t in ax.texts if t.get_text() == GRAPH_NODES["L"]["label"])
    assert label.get_position() == (6, 1)
    with pytest.raises(ValueError, match="no place for the nodes"):
        draw_computation_graph(GRAPH_NODES, GRAPH_EDGES, positions={"a": (0, 0)})
