"""Shared helpers of the backpropagation workbook."""
