r"""Delimited text into rows, checked against the lines a person sees.

A CSV parser follows quotes across line ends, as it must for a cell that holds a line
break (Excel writes ``"Jl. A\nRT 2"``). A single stray quote typed at the start of a cell
(``"Toko Maju``) therefore swallows every following line up to the next quote, and
dozens of reports silently become one address. :func:`parse_delimited` counts the
physical lines of every parsed row; a row spanning several lines whose quoting is broken
(or whose lines each have exactly the header's number of fields) is read again line by
line, and every line of it is reported: kept with a note naming the lines, or rejected
when it still does not split into the header's columns.

Examples
--------
>>> text = 'tgl;alamat;lat\n1/2/2026;"Toko Maju;-2.9\n2/2/2026;Jl. B;-2.8\n'
>>> frame, broken, notes = parse_delimited(text, ";", 0)
>>> frame["alamat"].tolist()
['"Toko Maju', 'Jl. B']
>>> sorted(notes), notes[0][0].code, dict(notes[0][0].info)
([0, 1], 'quote_reread', {'first': 2, 'last': 3})
"""

from __future__ import annotations

import csv
import io
import sys
import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

__all__ = [
    "RowIssue",
    "count_lines",
    "header_names",
    "parse_delimited",
    "row_numbers",
    "split_lines",
]

_MIN_WIDTH_FOR_SHAPE_TEST = 3


class RowIssue(NamedTuple):
    """Something found while reading one row.

    Attributes
    ----------
    code : str
        Reason code (a rejection) or note code (the row is kept).
    value : str
        The raw text concerned (for a rejection: the line as written).
    info : tuple of (str, object) pairs
        Values for the placeholders of the message, e.g. ``(("first", 17), ("last", 66))``.
    """

    code: str
    value: str = ""
    info: tuple[tuple[str, Any], ...] = ()


def split_lines(text: str) -> list[str]:
    r"""Split text at ``\n``, ``\r\n`` and ``\r`` (as a CSV reader does), keeping the ends.

    Unlike :meth:`str.splitlines` this does not split at form feeds, ``\x1c``, U+0085,
    U+2028 and the other characters a spreadsheet keeps inside a cell.
    """
    return io.StringIO(text, newline="").readlines()


def count_lines(text: str) -> int:
    r"""Count physical lines (``\n``, ``\r\n`` or ``\r`` ends; a last unended line counts)."""
    n = text.count("\n") + text.count("\r") - text.count("\r\n")
    return n + (1 if text and not text.endswith(("\n", "\r")) else 0)


@contextmanager
def _no_field_limit() -> Iterator[None]:
    """Let the csv module read cells of any size (a runaway quote makes one huge cell)."""
    old = csv.field_size_limit()
    csv.field_size_limit(sys.maxsize)
    try:
        yield
    finally:
        csv.field_size_limit(old)


def header_names(cells: Sequence[Any]) -> list[str]:
    """Column names as pandas gives them: ``Unnamed: i`` for blanks, ``x.1`` for repeats."""
    names: list[str] = []
    used: set[str] = set()
    for i, cell in enumerate(cells):
        base = str(cell) if cell is not None and str(cell).strip() else f"Unnamed: {i}"
        name, k = base, 0
        while name in used:
            k += 1
            name = f"{base}.{k}"
        used.add(name)
        names.append(name)
    return names


def _fast(text: str, delim: str, skip: int) -> pd.DataFrame | None:
    """Read with pandas; None unless every data line became exactly one row."""
    if text.count('"') % 2:
        return None  # an odd number of quotes: at least one stray quote somewhere
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", pd.errors.ParserWarning)
            frame = pd.read_csv(
                io.StringIO(text),
                sep=delim,
                dtype=str,
                na_filter=False,
                skip_blank_lines=False,
                index_col=False,
                skiprows=skip,
                engine="c",
            )
    except (pd.errors.ParserError, pd.errors.ParserWarning, ValueError):
        return None
    if len(frame) != count_lines(text) - skip - 1:
        return None  # some row spans several lines: check it line by line
    return frame


def _merged_by_quote(rec: list[str], lines: Sequence[str], delim: str, width: int) -> bool:
    """Whether a row spanning several lines was made by a stray quote, not a real line break."""
    if len(rec) != width:
        return True
    try:
        with _no_field_limit():
            list(csv.reader(lines, delimiter=delim, strict=True))
    except csv.Error:
        return True  # a closing quote followed by text, or a quote never closed
    # every line alone has the header's shape: the quote pair joined whole rows
    return width >= _MIN_WIDTH_FOR_SHAPE_TEST and all(
        line.rstrip("\r\n").count(delim) == width - 1 for line in lines
    )


def _split_one_line(line: str, delim: str, width: int) -> list[str] | None:
    """Cells of one line read on its own: with quotes, else without; None if neither fits."""
    body = line.rstrip("\r\n")
    if not body.strip():
        return [""] * width
    with _no_field_limit():
        quoted = next(csv.reader([body], delimiter=delim), [])
    if len(quoted) == width:
        return quoted
    plain = body.split(delim)
    if len(plain) == width:
        return plain
    if len(plain) < width:  # a short line, padded as any short row is
        return plain + [""] * (width - len(plain))
    return None


def _by_lines(
    text: str, delim: str, skip: int
) -> tuple[pd.DataFrame, dict[int, RowIssue], dict[int, list[RowIssue]]]:
    lines = split_lines(text)
    records: list[list[str]] = []
    spans: list[tuple[int, int]] = []
    with _no_field_limit():
        reader = csv.reader(lines, delimiter=delim)
        start = 0
        for rec in reader:
            records.append(rec)
            spans.append((start, reader.line_num))
            start = reader.line_num
    skip = min(skip, max(len(records) - 1, 0))
    header = header_names(records[skip] if records else [])
    width = len(header)
    body: list[list[str]] = []
    broken: dict[int, RowIssue] = {}
    notes: dict[int, list[RowIssue]] = {}
    first_row = skip + 2  # row number of body[0] as the user sees it

    def pad(cells: list[str]) -> list[str]:
        return (cells + [""] * width)[:width]

    for rec, (lo, hi) in zip(records[skip + 1 :], spans[skip + 1 :], strict=True):
        span = lines[lo:hi]
        if len(span) == 1:
            if len(rec) != width and '"' in span[0]:
                plain = span[0].rstrip("\r\n").split(delim)
                if len(plain) == width:  # a stray quote ran to the end of its line
                    here = (("first", first_row + len(body)),)
                    notes[len(body)] = [RowIssue("quote_line", "", here)]
                    body.append(plain)
                    continue
            if len(rec) > width:
                broken[len(body)] = RowIssue("wrong_field_count", delim.join(rec))
            body.append(pad(rec))
            continue
        if not _merged_by_quote(rec, span, delim, width):
            body.append(pad(rec))  # a cell with a real line break
            continue
        row = first_row + len(body)
        info = (("first", row), ("last", row + len(span) - 1))
        for line in span:
            cells = _split_one_line(line, delim, width)
            if cells is None:
                broken[len(body)] = RowIssue("quote_unbalanced", line.rstrip("\r\n"), info)
                body.append([""] * width)
            else:
                notes[len(body)] = [RowIssue("quote_reread", "", info)]
                body.append(cells)
    frame = pd.DataFrame(body, columns=pd.Index(header), dtype=str)
    if not body:
        frame = pd.DataFrame({h: pd.Series([], dtype=str) for h in header})
    return frame, broken, notes


def parse_delimited(
    text: str, delim: str, skip: int
) -> tuple[pd.DataFrame, dict[int, RowIssue], dict[int, list[RowIssue]]]:
    """Parse delimited text into one row per data line a person sees.

    Parameters
    ----------
    text : str
        The decoded file.
    delim : str
        Field delimiter.
    skip : int
        Number of title rows above the header.

    Returns
    -------
    tuple of (DataFrame, dict, dict)
        The cells as text (columns named by the header), rejected rows
        ``{position: RowIssue}`` (``wrong_field_count``, ``quote_unbalanced``) and notes on
        kept rows ``{position: [RowIssue]}`` (``quote_reread``: read again after a stray
        quote merged lines; ``quote_line``: a stray quote swallowed the rest of its own
        line, read again without quotes). A cell holding a real line break stays one row,
        as Excel shows it.
    """
    frame = _fast(text, delim, skip)
    if frame is not None:
        return frame, {}, {}
    return _by_lines(text, delim, skip)


def row_numbers(n: int, skip: int) -> np.ndarray:
    """Row number of each of ``n`` data rows as the user sees it (header row = ``skip + 1``)."""
    return np.arange(n, dtype=np.int64) + 2 + skip
