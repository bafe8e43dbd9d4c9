"""The students' package: everything the course notebooks import, and nothing else.

- :mod:`workbook.checks`: the checks every test cell calls (``check_array``, ``check_close``,
  ``check_number``, ``check_that``); they say what is wrong (type, then shape, then value)
  without printing the answer.
- :mod:`workbook.gradcheck`: finite-difference gradients and ``gradient_check``, to test your
  own derivatives without an answer key; ``compare_gradients`` puts gradients written by hand
  next to autograd's.
- :mod:`workbook.data`: the networks and data of the tutorials the course follows.
- :mod:`workbook.digits`: the 8x8 handwritten digits and a fixed-seed split.
- :mod:`workbook.diagrams`: pictures of networks and computation graphs (matplotlib).
- :mod:`workbook.widgets`: sliders and live plots (ipywidgets), static when run headless.
- :mod:`workbook.feature_maps`: pictures of convolutional layers: filters and feature maps, a
  receptive field, the path of one gradient, speed-ups.
- :mod:`workbook.timing`: the best of a few runs of a function, to compare slow and fast code.
- :mod:`workbook.summary`: the last cell of every notebook, which says where you stand.

This package holds no answers. The grader, feedback and authoring tools are the instructor's
package, :mod:`instructor`, which student kernels cannot see.
"""
