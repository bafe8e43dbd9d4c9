"""Do the convolution pictures draw what they are given, and nothing in a graded run?"""

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.patches import FancyArrowPatch, Rectangle

from workbook.feature_maps import (
    draw_gradient_path,
    draw_maps,
    draw_receptive_field,
    field_box,
    plot_speedups,
)


@pytest.fixture(autouse=True)
def pictures_on(monkeypatch):
    monkeypatch.delenv("WORKBOOK_PICTURES", raising=False)
    yield
    plt.close("all")


def test_field_box_is_the_smallest_rectangle_around_the_non_zero_entries():
    """Is the box (top, left, height, width) of the non-zero entries, None when there are none?"""
    influence = np.zeros((7, 9))
    influence[2, 3] = influence[5, 4] = influence[3, 6] = 1.0
    assert field_box(influence) == (2, 3, 4, 4)
    assert field_box(np.zeros((3, 3))) is None


def test_draw_maps_draws_one_labelled_heatmap_per_panel_in_a_grid():
    """Does every panel get a heatmap with its label, and do the spare cells of the grid stay
    empty? Are diverging maps centred on 0?"""
    panels = [(f"map {k}", np.arange(6.0).reshape(2, 3) - k) for k in range(5)]
    fig = draw_maps(panels, ncols=3, diverging=True, title="maps")
    drawn = [ax for ax in fig.axes if ax.images]
    assert [ax.get_title() for ax in drawn] == [label for label, _ in panels]
    assert len(fig.axes) == 6 and not fig.axes[5].axison
    low, high = drawn[0].images[0].get_clim()
    assert low == -high == -5.0


def test_draw_receptive_field_frames_the_pixels_that_reach_the_unit():
    """Is the red box as large as the non-zero region, and does the label say its size?"""
    influence = np.zeros((9, 9))
    influence[1:6, 2:7] = 1.0
    ax = draw_receptive_field(influence, unit_label="u").axes[0]
    [box] = [p for p in ax.patches if isinstance(p, Rectangle)]
    assert (box.get_x(), box.get_y(), box.get_width(), box.get_height()) == (1.5, 0.5, 5, 5)
    assert "5 x 5" in ax.get_xlabel() and "u" in ax.get_xlabel()


def test_draw_gradient_path_joins_its_steps_with_labelled_arrows():
    """Are vectors bars, matrices heatmaps and numbers text, with one arrow between steps and
    each arrow's note written under the label of the step it leads to?"""
    steps = [("scores", np.array([0.1, -0.3, 0.2]), None),
             ("map", np.eye(4) - 0.5, "dense layer"),
             ("weight", 0.25, "sum")]
    fig = draw_gradient_path(steps, title="path")
    bars, heat, number = fig.axes
    assert len(bars.patches) == 3 and heat.images and number.texts[0].get_text() == "0.25"
    assert len([p for p in fig.patches if isinstance(p, FancyArrowPatch)]) == 2
    assert [ax.get_title() for ax in fig.axes] == ["scores", "map\n(dense layer)", "weight\n(sum)"]


def test_plot_speedups_plots_both_times_and_their_ratio():
    """Are the times drawn in milliseconds and the speed-up as slow / fast?"""
    fig = plot_speedups([4, 8], [0.02, 0.08], [0.001, 0.002], labels=("a", "b"))
    times, ratio = fig.axes
    assert np.allclose(times.lines[0].get_ydata(), [20, 80])
    assert np.allclose(ratio.lines[0].get_ydata(), [20, 40])
    assert [t.get_text() for t in ratio.texts] == ["20x", "40x"]


def test_nothing_is_drawn_in_a_graded_run(monkeypatch):
    """With WORKBOOK_PICTURES=off, does every helper return None without making a figure?"""
    monkeypatch.setenv("WORKBOOK_PICTURES", "off")
    assert draw_maps([("a", np.eye(2))]) is None
    assert draw_receptive_field(np.eye(3)) is None
    assert draw_gradient_path([("a", np.eye(2), None)]) is None
    assert plot_speedups([1], [1.0], [1.0]) is None
    assert plt.get_fignums() == []
