"""Pictures of networks and computation graphs, drawn with matplotlib only.

Each picture has two halves, as micrograd separates ``trace`` from ``draw_dot``:

- the *layout* (``network_edges``, ``node_positions``, ``edge_label_positions``,
  ``graph_depths``, ``graph_positions``, ``graph_path``) is plain NumPy and unit-testable
  without drawing;
- the *rendering* (``draw_network``, ``draw_computation_graph``) turns a layout into artists.

These helpers draw what they are given; they never compute a graded quantity.
"""

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.patches import Circle, FancyArrowPatch, FancyBboxPatch

__all__ = [
    "derivative_path",
    "draw_computation_graph",
    "draw_network",
    "edge_label_positions",
    "graph_depths",
    "graph_path",
    "graph_positions",
    "layer_sizes",
    "network_edges",
    "node_positions",
]

NODE_RADIUS = 0.34
EDGE_COLOR = "#9aa5b1"
HIGHLIGHT_COLOR = "#d9480f"
VALUE_COLOR = "#1c4e80"
GRAD_COLOR = "#c92a2a"


# ---------------------------------------------------------------- layout: networks


def _oriented(weights, convention):
    """Each matrix as (n_in, n_out), whatever the convention."""
    if convention not in ("row", "column"):
        raise ValueError(f'convention must be "row" or "column", not {convention!r}')
    mats = [np.atleast_2d(np.asarray(w, dtype=float)) for w in weights]
    return mats if convention == "row" else [m.T for m in mats]


def layer_sizes(weights, convention="row"):
    """Number of nodes in every layer, input first: ``len(weights) + 1`` integers.

    Row convention: ``W`` has shape ``(n_in, n_out)`` (``Z = X @ W``); column convention:
    ``(n_out, n_in)`` (``h = W @ x``). Raises ``ValueError`` if consecutive shapes disagree.
    """
    mats = _oriented(weights, convention)
    if not mats:
        raise ValueError("weights is empty: give at least one weight matrix")
    sizes = [mats[0].shape[0]]
    for layer, m in enumerate(mats):
        if m.shape[0] != sizes[-1]:
            raise ValueError(
                f"weight matrix {layer} connects {m.shape[0]} nodes to {m.shape[1]}, but the "
                f"layer before it has {sizes[-1]} nodes (is convention={convention!r} right?)"
            )
        sizes.append(m.shape[1])
    return sizes


def network_edges(weights, convention="row"):
    """Each edge ``(layer, i, j, w)``: node ``i`` of ``layer`` to node ``j`` of ``layer + 1``."""
    mats = _oriented(weights, convention)
    layer_sizes(weights, convention)
    return [
        (layer, i, j, float(m[i, j]))
        for layer, m in enumerate(mats)
        for i in range(m.shape[0])
        for j in range(m.shape[1])
    ]


def node_positions(sizes, dx=2.4, dy=1.3):
    """``(x, y)`` of every node: one column per layer, each column centred on ``y = 0``.

    Returns a list with one array of shape ``(n_l, 2)`` per layer; node 0 is at the top.
    """
    return [
        np.column_stack([np.full(n, layer * dx), ((n - 1) / 2 - np.arange(n)) * dy])
        for layer, n in enumerate(sizes)
    ]


def edge_label_positions(positions, edges, fractions=(0.3, 0.5, 0.7, 0.4, 0.6)):
    """Where to write each edge's weight, so that labels keep apart from each other.

    Each label goes at one of ``fractions`` of the way along its edge (from the source
    node), chosen greedily to be as far as possible from the nodes and from the labels
    placed before it. Returns an array of shape ``(len(edges), 2)``.
    """
    placed = list(np.concatenate(positions)) if positions else []
    labels = []
    for layer, i, j, *_ in edges:
        start, end = positions[layer][i], positions[layer + 1][j]
        candidates = [start + t * (end - start) for t in fractions]
        others = np.array(placed)
        # Labels are wider than tall: weigh vertical distance more.
        spread = [np.min(np.hypot((others[:, 0] - c[0]) / 2.0, others[:, 1] - c[1]))
                  for c in candidates]
        best = candidates[int(np.argmax(spread))]
        placed.append(best)
        labels.append(best)
    return np.array(labels).reshape(len(edges), 2)


def derivative_path(sizes, layer, i, j):
    """Edges a change of weight ``(layer, i, j)`` travels through on its way to the output.

    The weight's own edge comes first, then every edge leaving node ``j`` of ``layer + 1``
    and the nodes it reaches, up to the output layer. Returns ``(layer, i, j)`` triples,
    ready for ``draw_network(..., highlight=...)``.
    """
    if not (0 <= layer < len(sizes) - 1 and 0 <= i < sizes[layer] and 0 <= j < sizes[layer + 1]):
        raise ValueError(f"no edge ({layer}, {i}, {j}) in a network of sizes {list(sizes)}")
    path, reached = [(layer, i, j)], [j]
    for next_layer in range(layer + 1, len(sizes) - 1):
        path += [(next_layer, a, b) for a in reached for b in range(sizes[next_layer + 1])]
        reached = list(range(sizes[next_layer + 1]))
    return path


# ---------------------------------------------------------------- layout: graphs


def graph_depths(nodes, edges):
    """Depth of every node: 0 for inputs, else 1 + the largest depth among its sources."""
    names = list(nodes)
    for src, dst in edges:
        for name in (src, dst):
            if name not in nodes:
                raise ValueError(f"edge ({src!r}, {dst!r}) names an unknown node {name!r}")
    depth = dict.fromkeys(names, 0)
    for _ in range(len(names)):
        changed = False
        for src, dst in edges:
            if depth[dst] < depth[src] + 1:
                depth[dst], changed = depth[src] + 1, True
        if not changed:
            return depth
    raise ValueError("the edges contain a cycle: a computation graph must be acyclic")


def graph_positions(nodes, edges, dx=2.2, dy=1.6):
    """``{name: (x, y)}``: one column per depth, left to right, nodes in the order given."""
    depth = graph_depths(nodes, edges)
    columns = {}
    for name in nodes:
        columns.setdefault(depth[name], []).append(name)
    pos = {}
    for d, names in columns.items():
        for k, name in enumerate(names):
            pos[name] = (d * dx, ((len(names) - 1) / 2 - k) * dy)
    return pos


def graph_path(edges, source, target):
    """The edges on some path from ``source`` to ``target``: the way a gradient travels back.

    edges: ``(src, dst)`` pairs in the forward direction. Returns a set of those pairs, empty
    when ``target`` cannot be reached from ``source``; an edge leaving the path's nodes is
    left out even if it starts on the path.
    """
    forward, backward = {}, {}
    for src, dst in edges:
        forward.setdefault(src, []).append(dst)
        backward.setdefault(dst, []).append(src)

    def reach(start, step):
        seen, todo = {start}, [start]
        while todo:
            for nxt in step.get(todo.pop(), []):
                if nxt not in seen:
                    seen.add(nxt)
                    todo.append(nxt)
        return seen

    on_path = reach(source, forward) & reach(target, backward)
    return {(src, dst) for src, dst in edges if src in on_path and dst in on_path}


# ---------------------------------------------------------------- rendering


def _fmt(value, digits=4):
    value = float(np.asarray(value, dtype=float).reshape(-1)[0])
    return f"{value:.{digits}g}" if abs(value) >= 1e-3 or value == 0 else f"{value:.1e}"


def _new_axes(ax, width, height):
    if ax is None:
        _, ax = plt.subplots(figsize=(width, height))
    ax.set_aspect("equal")
    ax.axis("off")
    return ax


def _layer_names(n_layers):
    hidden = [f"hidden {k}" for k in range(1, n_layers - 1)]
    return ["input", *hidden, "output"]


def draw_network(weights, *, convention="row", values=None, highlight=(), ax=None, title=None):
    """Draw a feed-forward network with its weights on the edges.

    weights: list of 2-D arrays; ``convention="row"``: shape ``(n_in, n_out)`` (``Z = X @ W``),
        ``"column"``: ``(n_out, n_in)`` (``h = W @ x``).
    values: optional list of ``len(weights) + 1`` arrays (input first), written in the nodes;
        any shape with ``n_l`` entries, e.g. ``(3,)`` or ``(3, 1)``.
    highlight: ``(layer, i, j)`` edges (zero-based, node ``i`` of ``layer`` to node ``j`` of
        ``layer + 1``) drawn thick and coloured, e.g. the path of a derivative.
    Returns the matplotlib Axes.
    """
    sizes = layer_sizes(weights, convention)
    edges = network_edges(weights, convention)
    pos = node_positions(sizes)
    if values is not None:
        values = [np.asarray(v, dtype=float).reshape(-1) for v in values]
        if [v.size for v in values] != sizes:
            raise ValueError(
                f"values has sizes {[v.size for v in values]}, but the layers have {sizes}"
            )
    highlight = {tuple(int(k) for k in edge) for edge in highlight}
    unknown = highlight - {e[:3] for e in edges}
    if unknown:
        raise ValueError(f"highlight names edges that do not exist: {sorted(unknown)}")

    top = max(sizes) * 1.3 / 2
    ax = _new_axes(ax, 1.2 + 2.0 * len(sizes), 1.0 + 1.05 * max(sizes))
    show_labels = len(edges) <= 40
    label_pos = edge_label_positions(pos, edges)
    for (layer, i, j, w), (lx, ly) in zip(edges, label_pos, strict=True):
        (x0, y0), (x1, y1) = pos[layer][i], pos[layer + 1][j]
        lit = (layer, i, j) in highlight
        ax.plot([x0, x1], [y0, y1], color=HIGHLIGHT_COLOR if lit else EDGE_COLOR,
                lw=3.2 if lit else 1.1, zorder=2 if lit else 1, solid_capstyle="round")
        if show_labels:
            angle = np.degrees(np.arctan2(y1 - y0, x1 - x0))  # along the edge (aspect 1)
            ax.text(lx, ly, _fmt(w, 3), ha="center", va="center", zorder=4,
                    rotation=angle, rotation_mode="anchor",
                    fontsize=8.5, fontweight="bold" if lit else "normal",
                    color=HIGHLIGHT_COLOR if lit else "#333333",
                    bbox={"boxstyle": "round,pad=0.12", "fc": "white", "ec": "none",
                          "alpha": 0.9})
    for layer, (points, name) in enumerate(zip(pos, _layer_names(len(sizes)), strict=True)):
        for k, (x, y) in enumerate(points):
            ax.add_patch(Circle((x, y), NODE_RADIUS, fc="#e7f0fa", ec=VALUE_COLOR, lw=1.4,
                                zorder=5))
            text = _fmt(values[layer][k], 3) if values is not None else str(k + 1)
            ax.text(x, y, text, ha="center", va="center", zorder=6,
                    fontsize=9 if len(text) <= 4 else 7.5,
                    color=VALUE_COLOR)
        ax.text(points[0, 0], -top - 0.05, name, ha="center", va="top", fontsize=9,
                color="#555555")
    ax.set_xlim(-0.6, pos[-1][0, 0] + 0.6)
    ax.set_ylim(-top - 0.45, top + 0.1)
    if title:
        ax.set_title(title, fontsize=11)
    return ax


def _output_node(nodes, edges):
    sources = {src for src, _ in edges}
    sinks = [name for name in nodes if name not in sources]
    return sinks[0] if len(sinks) == 1 else None


def draw_computation_graph(nodes, edges, *, highlight=(), ax=None, title=None, positions=None):
    """Draw a computation graph left to right, forward values and backward gradients.

    nodes: ``{name: {"label": str, "value": float | None, "grad": float | None}}``;
        the label goes in the box, the value (blue) above it, the gradient of the output
        with respect to the node (red) below it. Missing or ``None`` entries are left out.
    edges: ``(src, dst)`` pairs, each drawn as an arrow in the forward direction.
    highlight: some of those pairs, drawn thick and coloured (e.g. ``graph_path(...)``).
    positions: ``{name: (x, y)}`` for every node, to lay the graph out by hand where the
        default (:func:`graph_positions`, one column per depth) would draw arrows through boxes.
    Returns the matplotlib Axes.
    """
    graph_depths(nodes, edges)        # unknown nodes and cycles fail the same way either way
    pos = graph_positions(nodes, edges) if positions is None else dict(positions)
    missing = sorted(set(nodes) - set(pos))
    if missing:
        raise ValueError(f"positions has no place for the nodes {missing}")
    highlight = {tuple(edge) for edge in highlight}
    unknown = highlight - {tuple(edge) for edge in edges}
    if unknown:
        raise ValueError(f"highlight names edges that do not exist: {sorted(unknown)}")
    out = _output_node(nodes, edges)
    xs = [p[0] for p in pos.values()]
    ys = [p[1] for p in pos.values()]
    ax = _new_axes(ax, 1.8 + 1.6 * (max(xs) - min(xs)) / 2.2 * 1.2, 2.2 + (max(ys) - min(ys)))
    half_w, half_h = 0.62, 0.3
    for src, dst in edges:
        (x0, y0), (x1, y1) = pos[src], pos[dst]
        lit = (src, dst) in highlight
        ax.add_patch(FancyArrowPatch((x0 + half_w, y0), (x1 - half_w, y1), zorder=2 if lit else 1,
                                     arrowstyle="-|>", mutation_scale=16 if lit else 14,
                                     color=HIGHLIGHT_COLOR if lit else "#555555",
                                     lw=3.0 if lit else 1.2, shrinkA=2, shrinkB=2))
    for name, node in nodes.items():
        x, y = pos[name]
        ax.add_patch(FancyBboxPatch((x - half_w, y - half_h), 2 * half_w, 2 * half_h,
                                    boxstyle="round,pad=0.04", fc="#f1f3f5", ec="#343a40",
                                    lw=1.2, zorder=3))
        ax.text(x, y, node.get("label", name), ha="center", va="center", fontsize=10,
                zorder=4)
        if node.get("value") is not None:
            ax.text(x, y + half_h + 0.1, f"{name} = {_fmt(node['value'])}", ha="center",
                    va="bottom", fontsize=9, color=VALUE_COLOR, zorder=4)
        if node.get("grad") is not None:
            wrt = f"∂{out}/∂{name}" if out else f"grad {name}"
            ax.text(x, y - half_h - 0.1, f"{wrt} = {_fmt(node['grad'])}", ha="center",
                    va="top", fontsize=9, color=GRAD_COLOR, zorder=4)
    ax.set_xlim(min(xs) - 1.0, max(xs) + 1.0)
    ax.set_ylim(min(ys) - 0.95, max(ys) + 0.95)
    if title:
        ax.set_title(title, fontsize=11)
    return ax
