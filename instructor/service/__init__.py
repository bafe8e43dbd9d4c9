"""The grading service (``workbook serve``): every submission graded as it arrives.

:mod:`.service` (the loop), :mod:`.exchange` (nbgrader's exchange: submissions in, pages out),
:mod:`.ledger` (what it has seen and done, on disk), :mod:`.policy` (limits and visibility,
from ``nbgrader_config.py``).
"""
