"""Pictures of convolutional layers: images, filters and feature maps, a unit's receptive field,
the path of one gradient, and the speed-up of vectorised code (matplotlib).

Every helper draws arrays it is given (computed by the student's own layers) and computes no
graded quantity. Each returns its ``Figure``, or ``None`` without drawing anything in a graded
run (``WORKBOOK_PICTURES=off``, see :func:`workbook.widgets.pictures_off`), where nobody looks.
"""

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.patches import FancyArrowPatch, Rectangle

from workbook.widgets import pictures_off

__all__ = ["draw_gradient_path", "draw_maps", "draw_receptive_field", "field_box",
           "plot_speedups"]

DIVERGING = "RdBu_r"       # negative blue, positive red, 0 white
GREY = "gray_r"            # 0 white, large black: ink on paper, as the digits are drawn


def _heatmap(ax, array, *, diverging, label=None):
    """One 2-D array as a heatmap without ticks; diverging maps are centred on 0."""
    array = np.asarray(array, dtype=float)
    if diverging:
        limit = float(np.max(np.abs(array))) or 1.0
        image = ax.imshow(array, cmap=DIVERGING, vmin=-limit, vmax=limit)
    else:
        image = ax.imshow(array, cmap=GREY)
    ax.set_xticks([])
    ax.set_yticks([])
    if label is not None:
        ax.set_title(label, fontsize=9)
    return image


def draw_maps(panels, *, title=None, ncols=None, diverging=False, size=1.9):
    """A grid of small heatmaps, one per ``(label, 2-D array)`` in ``panels``.

    diverging: colour each panel from blue (negative) through white (0) to red (positive), as
        suits filters, feature maps and gradients; otherwise grey, dark for large values.
    ncols: panels per row (default: all in one row).
    """
    if pictures_off():
        return None
    panels = list(panels)
    ncols = ncols or len(panels)
    nrows = -(-len(panels) // ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(size * ncols, size * nrows + 0.4),
                             squeeze=False)
    for ax in axes.flat[len(panels):]:
        ax.axis("off")
    for ax, (label, array) in zip(axes.flat, panels, strict=False):
        _heatmap(ax, array, diverging=diverging, label=label)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


def field_box(influence):
    """``(top, left, height, width)`` of the smallest rectangle that holds every non-zero entry
    of the 2-D array ``influence``; ``None`` when it is all zeros."""
    rows, cols = np.nonzero(np.asarray(influence))
    if rows.size == 0:
        return None
    return (int(rows.min()), int(cols.min()), int(rows.max() - rows.min() + 1),
            int(cols.max() - cols.min() + 1))


def draw_receptive_field(influence, *, title=None, unit_label="the unit"):
    """The input grid, each pixel shaded by ``influence`` (how much it reaches one unit), and
    the box around every pixel that reaches it at all: the unit's receptive field."""
    if pictures_off():
        return None
    influence = np.asarray(influence, dtype=float)
    fig, ax = plt.subplots(figsize=(4.6, 4.6))
    ax.imshow(influence, cmap="Oranges")
    height, width = influence.shape
    ax.set_xticks(np.arange(-0.5, width), minor=True)
    ax.set_yticks(np.arange(-0.5, height), minor=True)
    ax.grid(which="minor", color="#dddddd", lw=0.6)
    ax.tick_params(which="both", length=0, labelsize=7)
    box = field_box(influence)
    if box is not None:
        top, left, rows, cols = box
        ax.add_patch(Rectangle((left - 0.5, top - 0.5), cols, rows, fill=False,
                               edgecolor="crimson", lw=2))
        ax.set_xlabel(f"the {rows} x {cols} pixels that reach {unit_label}")
    ax.set_title(title or "Receptive field")
    return fig


def _step(ax, value, *, label):
    """One step of a gradient path: bars for a vector, a heatmap for a matrix, else a number."""
    value = np.asarray(value, dtype=float)
    if value.ndim == 1:
        colours = np.where(value < 0, "#1f77b4", "#d62728")
        ax.bar(np.arange(len(value)), value, color=colours)
        ax.axhline(0, color="black", lw=0.6)
        ax.set_xticks(np.arange(len(value)))
        ax.tick_params(labelsize=7)
        ax.set_title(label, fontsize=9)
    elif value.ndim == 2:
        _heatmap(ax, value, diverging=True, label=label)
    else:
        ax.axis("off")
        ax.text(0.5, 0.5, f"{float(value):.4g}", ha="center", va="center", fontsize=15,
                transform=ax.transAxes)
        ax.set_title(label, fontsize=9)


def draw_gradient_path(steps, *, title=None):
    """The path of one gradient, as a row of panels joined by arrows.

    steps: ``(label, value, note)`` from the loss to the weight: ``value`` is a vector (drawn
        as bars), a matrix (a heatmap, blue negative, red positive) or one number; ``note`` says
        what the arrow into this panel does (``None`` for the first), written under its label.
    """
    if pictures_off():
        return None
    steps = list(steps)
    fig, axes = plt.subplots(1, len(steps), figsize=(2.5 * len(steps), 3.3), squeeze=False)
    axes = axes[0]
    for ax, (label, value, note) in zip(axes, steps, strict=True):
        _step(ax, value, label=f"{label}\n({note})" if note else label)
    fig.tight_layout(w_pad=2.5, rect=(0, 0, 1, 0.9 if title else 1))
    for before, after in zip(axes[:-1], axes[1:], strict=False):
        start, end = before.get_position(), after.get_position()
        y = (start.y0 + start.y1) / 2
        fig.patches.append(FancyArrowPatch((start.x1 + 0.005, y), (end.x0 - 0.005, y),
                                           transform=fig.transFigure, arrowstyle="-|>",
                                           mutation_scale=14, color="black"))
    if title:
        fig.suptitle(title)
    return fig


def plot_speedups(sizes, slow, fast, *, xlabel="input size", labels=("loops", "vectorised")):
    """Times of two versions against the input size (log scale), and the ratio slow / fast."""
    if pictures_off():
        return None
    sizes, slow, fast = (np.asarray(a, dtype=float) for a in (sizes, slow, fast))
    fig, (ax_time, ax_ratio) = plt.subplots(1, 2, figsize=(10, 3.6))
    ax_time.plot(sizes, slow * 1e3, "o-", label=labels[0])
    ax_time.plot(sizes, fast * 1e3, "s-", label=labels[1])
    ax_time.set(yscale="log", xlabel=xlabel, ylabel="time (ms), best of a few runs",
                title="Time of one call")
    ax_time.legend(fontsize=8)
    ratio = slow / fast
    ax_ratio.plot(sizes, ratio, "o-", color="black")
    for size, value in zip(sizes, ratio, strict=True):
        ax_ratio.annotate(f"{value:.0f}x", (size, value), xytext=(0, 6),
                          textcoords="offset points", ha="center", fontsize=8)
    ax_ratio.set(xlabel=xlabel, ylabel=f"{labels[0]} / {labels[1]}", title="Speed-up",
                 ylim=(0, 1.2 * float(ratio.max())))
    fig.tight_layout()
    return fig
