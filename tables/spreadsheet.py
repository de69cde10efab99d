"""CSV exports that are safe to open in a spreadsheet, written line by line as they stream."""

from __future__ import annotations

import csv

# Spreadsheets run a cell starting with these as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: object) -> str:
    """A cell a spreadsheet would run as a formula is written as text instead."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


class _Echo:
    def write(self, value: str) -> str:
        return value


def line_writer():
    """A csv writer whose writerow returns the line, for a streaming response."""
    return csv.writer(_Echo())
