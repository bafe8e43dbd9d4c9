"""Interactive explorers and training plots (ipywidgets 8, matplotlib's Agg renderer).

Every helper calls the functions it is given (the student's own forward pass, loss...) and
draws the result; none of them computes a graded quantity. With a live frontend (JupyterLab,
Notebook 7) the explorers are sliders next to a picture; when a notebook is executed without
one (nbconvert, nbclient, nbgrader), each shows one static picture instead, so graded runs
stay free of widget state, errors and warnings.

Set the environment variable ``WORKBOOK_WIDGETS`` to ``live`` or ``static`` to override the
detection (``live_frontend``). The grader sets ``WORKBOOK_PICTURES=off``: nobody looks at the
pictures of a graded run, so the helpers skip drawing them and show their caption only.
"""

import base64
import html
import io
import os
import time

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

from workbook.diagrams import draw_network

__all__ = [
    "DeltaExplorer",
    "ForwardExplorer",
    "LiveLossPlot",
    "delta_explorer",
    "forward_explorer",
    "live_frontend",
    "pictures_off",
    "plot_predictions",
]


def live_frontend():
    """Is this kernel attached to a frontend that can show widgets?

    Jupyter Server starts a notebook's kernel with ``JPY_SESSION_NAME`` set; nbclient (and so
    nbconvert and nbgrader) does not. ``WORKBOOK_WIDGETS=live|static`` overrides the guess.
    """
    choice = os.environ.get("WORKBOOK_WIDGETS", "").strip().lower()
    if choice in ("live", "static"):
        return choice == "live"
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    return getattr(shell, "kernel", None) is not None and "JPY_SESSION_NAME" in os.environ


def pictures_off():
    """Is this a graded run, where drawing pictures is wasted time?"""
    return os.environ.get("WORKBOOK_PICTURES", "").strip().lower() == "off"


def _png(fig):
    """The figure as PNG bytes (Agg, no pyplot state, so nothing is shown twice)."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=fig.dpi, bbox_inches="tight")
    return buffer.getvalue()


def _as_number(value, what):
    array = np.asarray(value, dtype=float)
    if array.size != 1:
        raise ValueError(f"{what} should return one number, but it returned shape {array.shape}")
    return float(array.reshape(-1)[0])


class _Explorer:
    """Shared shape of the explorers: controls + picture + readout, or one static picture."""

    def __init__(self, live):
        self.live = live_frontend() if live is None else live
        self.widget = None

    def _build(self, controls):
        import ipywidgets as widgets

        self.image = widgets.Image(value=self.render(), format="png",
                                   layout=widgets.Layout(max_width="720px"))
        self.readout = widgets.HTML(value=html.escape(self.caption()))
        for control in controls:
            control.observe(self._changed, names="value")
        self.widget = widgets.VBox([*controls, self.readout, self.image])

    def _changed(self, _change):
        try:
            self.image.value = self.render()
            self.readout.value = html.escape(self.caption())
        except Exception as error:  # show the student's error next to the slider
            self.readout.value = (f"<b style='color:#c92a2a'>{type(error).__name__}: "
                                  f"{html.escape(str(error))}</b>")

    def _repr_mimebundle_(self, include=None, exclude=None):
        if self.widget is not None:
            return self.widget._repr_mimebundle_(include=include, exclude=exclude)
        if pictures_off():
            return {"text/plain": self.caption()}
        return {"image/png": base64.b64encode(self.render()).decode("ascii"),
                "text/plain": self.caption()}



class DeltaExplorer(_Explorer):
    """Nudge one weight by ``delta`` and watch the output of ``output_fn`` move.

    output_fn(W) -> one number: the student's forward pass, run with ``W`` in place of
        ``weights`` (a copy; ``weights`` itself is never changed).
    weights: the weight matrix; index: the entry to nudge, e.g. ``(1, 1)``.
    span: the slider runs over ``delta`` in ``[-span, span]``; ``delta`` is the start value
        (and the one pictured when there is no live frontend).
    """

    def __init__(self, output_fn, weights, index, *, span=1.0, delta=0.5, name="w",
                 output_name="output", live=None):
        super().__init__(live)
        self.output_fn, self.weights = output_fn, np.array(weights, dtype=float)
        self.index = tuple(np.atleast_1d(index).tolist())
        if len(self.index) != self.weights.ndim:
            raise IndexError(f"index {self.index} does not name one entry of an array "
                             f"of shape {self.weights.shape}")
        self.name, self.output_name = name, output_name
        self.span, self.delta = float(span), float(delta)
        self.deltas = np.linspace(-self.span, self.span, 41)
        self.outputs = np.array([self.output_at(d) for d in self.deltas])
        self.base = self.output_at(0.0)
        if self.live:
            import ipywidgets as widgets

            self.slider = widgets.FloatSlider(
                value=self.delta, min=-self.span, max=self.span, step=self.span / 20,
                description=f"Δ{name}", continuous_update=True, readout_format=".2f")
            self.slider.observe(self._moved, names="value")
            self._build([self.slider])

    def _moved(self, change):
        self.delta = float(change["new"])

    def output_at(self, delta):
        """The output with the weight at its value plus ``delta``."""
        changed = self.weights.copy()
        changed[self.index] += delta
        return _as_number(self.output_fn(changed), "output_fn")

    def caption(self):
        w0 = self.weights[self.index]
        out = self.output_at(self.delta)
        text = (f"{self.name} = {w0 + self.delta:.4g} (Δ{self.name} = {self.delta:+.3g}), "
                f"{self.output_name} = {out:.5g} (Δ{self.output_name} = {out - self.base:+.4g})")
        if self.delta != 0:
            text += f", Δ{self.output_name}/Δ{self.name} = {(out - self.base) / self.delta:.4g}"
        return text

    def render(self):
        w0 = self.weights[self.index]
        fig = Figure(figsize=(6.4, 3.6), dpi=100)
        ax = fig.add_subplot()
        ax.plot(w0 + self.deltas, self.outputs, color="#1c4e80", lw=2,
                label=f"{self.output_name} as {self.name} moves")
        out = self.output_at(self.delta)
        ax.plot([w0, w0 + self.delta], [self.base, out], "--", color="#d9480f", lw=1.5,
                label=f"Δ{self.output_name} / Δ{self.name}")
        ax.plot([w0], [self.base], "o", color="#555555", label=f"{self.name} as given")
        ax.plot([w0 + self.delta], [out], "o", color="#d9480f", ms=8)
        ax.set_xlabel(self.name)
        ax.set_ylabel(self.output_name)
        ax.grid(alpha=0.3)
        ax.legend(loc="best", fontsize=8)
        if not self.live:  # live, the readout above the picture says the same
            ax.set_title(self.caption(), fontsize=8)
        return _png(fig)


class ForwardExplorer(_Explorer):
    """Sliders on the input (or on chosen weights) redraw the network with the new values.

    forward_fn(x, weights) -> the layer values after the input (hidden layers and output,
        ``len(weights)`` arrays) or all of them input first (``len(weights) + 1``): the
        student's own forward pass.
    x: the input, any shape with ``n_0`` entries; weights: list of 2-D arrays (``convention``
        as in ``draw_network``); vary: ``"input"`` or a list of ``(layer, i, j)`` edges.
    span: each slider runs over its start value plus or minus ``span``.
    """

    def __init__(self, forward_fn, x, weights, *, convention="row", vary="input", span=3.0,
                 title=None, live=None):
        super().__init__(live)
        self.forward_fn, self.convention, self.title = forward_fn, convention, title
        self.x = np.array(x, dtype=float)
        self.weights = [np.array(w, dtype=float) for w in weights]
        self.vary = "input" if isinstance(vary, str) and vary == "input" else [
            tuple(int(k) for k in edge) for edge in vary]
        self.values()  # run the student's forward pass once, so errors show up at once
        if self.live:
            import ipywidgets as widgets

            self.sliders = [
                widgets.FloatSlider(value=start, min=start - span, max=start + span,
                                    step=span / 30, description=label,
                                    continuous_update=False, readout_format=".2f")
                for label, start in self._slider_starts()
            ]
            for slider, target in zip(self.sliders, self._targets(), strict=True):
                slider.observe(lambda change, t=target: self._set(t, change["new"]),
                               names="value")
            self._build(self.sliders)

    def _targets(self):
        if self.vary == "input":
            return [("x", k) for k in np.ndindex(self.x.shape)]
        return [("w", edge) for edge in self.vary]

    def _matrix_index(self, edge):
        layer, i, j = edge
        return layer, ((i, j) if self.convention == "row" else (j, i))

    def _slider_starts(self):
        starts = []
        for kind, where in self._targets():
            if kind == "x":
                starts.append((f"x{np.ravel_multi_index(where, self.x.shape) + 1}",
                               float(self.x[where])))
            else:
                layer, index = self._matrix_index(where)
                label = f"W{layer + 1}[{index[0]},{index[1]}]"
                starts.append((label, float(self.weights[layer][index])))
        return starts

    def _set(self, target, value):
        kind, where = target
        if kind == "x":
            self.x[where] = value
        else:
            layer, index = self._matrix_index(where)
            self.weights[layer][index] = value

    def values(self):
        """Every layer's values, input first, from the student's ``forward_fn``."""
        result = list(self.forward_fn(self.x.copy(), [w.copy() for w in self.weights]))
        if len(result) == len(self.weights):
            result = [self.x, *result]
        if len(result) != len(self.weights) + 1:
            raise ValueError(f"forward_fn returned {len(result)} arrays; expected "
                             f"{len(self.weights)} (one per layer after the input)")
        return [np.asarray(v, dtype=float).reshape(-1) for v in result]

    def caption(self):
        out = ", ".join(f"{v:.4g}" for v in self.values()[-1])
        return f"output: {out}"

    def render(self):
        values = self.values()
        sizes = [v.size for v in values]
        fig = Figure(figsize=(1.2 + 2.0 * len(sizes), 1.0 + 1.05 * max(sizes)), dpi=90)
        ax = fig.add_subplot()
        highlight = [] if self.vary == "input" else self.vary
        draw_network(self.weights, convention=self.convention, values=values,
                     highlight=highlight, ax=ax, title=self.title)
        return _png(fig)


def delta_explorer(output_fn, weights, index, **options):
    """Show a :class:`DeltaExplorer` (sliders live, one picture headless); returns None."""
    from IPython.display import display

    display(DeltaExplorer(output_fn, weights, index, **options))


def forward_explorer(forward_fn, x, weights, **options):
    """Show a :class:`ForwardExplorer` (sliders live, one picture headless); returns None."""
    from IPython.display import display

    display(ForwardExplorer(forward_fn, x, weights, **options))


class LiveLossPlot:
    """A loss curve that redraws in place while a network trains.

    Call :meth:`add` after each chunk of training with the loss you computed (the student's
    own loss function on the student's own forward pass) and :meth:`close` at the end, or use
    ``with LiveLossPlot() as plot:``. With a live frontend the picture updates at most every
    ``every`` seconds; without one it is drawn once, by :meth:`close`.
    """

    def __init__(self, *, title="Training loss", xlabel="iteration", ylabel="loss",
                 logy=False, every=0.3, live=None):
        self.live = live_frontend() if live is None else live
        self.title, self.xlabel, self.ylabel, self.logy = title, xlabel, ylabel, logy
        self.every, self.steps, self.losses = every, [], []
        self._shown, self._last = None, 0.0

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()

    def add(self, step, loss):
        """Record ``loss`` (one number) at ``step`` and redraw if it is time to."""
        self.steps.append(float(step))
        self.losses.append(_as_number(loss, "the loss"))
        if self.live and time.monotonic() - self._last >= self.every:
            self._show()

    def close(self):
        """Draw the final curve (the only picture when there is no live frontend)."""
        if self.steps:
            self._show()

    def render(self):
        fig = Figure(figsize=(6.0, 3.4), dpi=90)
        ax = fig.add_subplot()
        ax.plot(self.steps, self.losses, "-o", ms=3, color="#1c4e80")
        if self.logy and min(self.losses) > 0:
            ax.set_yscale("log")
        ax.set_xlabel(self.xlabel)
        ax.set_ylabel(self.ylabel)
        ax.set_title(f"{self.title}: {self.losses[-1]:.5g} at {self.xlabel} {self.steps[-1]:g}",
                     fontsize=10)
        ax.grid(alpha=0.3)
        return _png(fig)

    def _show(self):
        from IPython.display import Image, display

        self._last = time.monotonic()
        if pictures_off():
            return
        image = Image(data=self.render(), format="png")
        if self._shown is None:
            self._shown = display(image, display_id=True)
        else:
            self._shown.update(image)


def plot_predictions(y_true, y_pred, ax=None, title="Predictions against targets"):
    """Scatter each prediction against its target, with the line ``prediction = target``.

    y_true, y_pred: arrays with the same number of entries (any shape, e.g. (n, 1)).
    Returns the matplotlib Axes; call ``plt.show()`` to display it.
    """
    y_true = np.asarray(y_true, dtype=float).reshape(-1)
    y_pred = np.asarray(y_pred, dtype=float).reshape(-1)
    if y_true.shape != y_pred.shape:
        raise ValueError(f"y_true has {y_true.size} entries but y_pred has {y_pred.size}")
    if ax is None:
        _, ax = plt.subplots(figsize=(4.6, 4.2))
    low = float(min(y_true.min(), y_pred.min()))
    high = float(max(y_true.max(), y_pred.max()))
    pad = 0.05 * (high - low or 1.0)
    ax.plot([low - pad, high + pad], [low - pad, high + pad], "--", color="#868e96",
            label="perfect prediction")
    ax.scatter(y_true, y_pred, color="#d9480f", zorder=3, label="data points")
    ax.set_xlim(low - pad, high + pad)
    ax.set_ylim(low - pad, high + pad)
    ax.set_aspect("equal")
    ax.set_xlabel("target")
    ax.set_ylabel("prediction")
    ax.set_title(title, fontsize=10)
    ax.grid(alpha=0.3)
    ax.legend(loc="upper left", fontsize=8)
    return ax
