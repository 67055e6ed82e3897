"""Cells as the reader's steps need them: stripped text, string arrays, ledger values.

Examples
--------
>>> import pandas as pd
>>> text_cells(pd.Series([" Jl. A ", "", None, 12])).tolist()
['Jl. A', <NA>, <NA>, '12']
>>> cell_text(float("nan")), cell_text("x" * 300)[-3:], len(cell_text("x" * 300))
('', 'xxx', 200)
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

__all__ = ["VALUE_CHARS", "cell_text", "string_array", "text_cells"]

#: At most this many characters of a cell are shown in the ledger.
VALUE_CHARS = 200


def text_cells(series: pd.Series) -> pd.Series:
    """Return the cells as stripped text (``string`` dtype), NA where empty.

    Parameters
    ----------
    series : Series
        A column as read (text, numbers, dates, None).

    Returns
    -------
    Series
    """
    if pd.api.types.is_string_dtype(series.dtype) and series.dtype != object:
        text = series.astype("string").str.strip()
    else:
        out = series.astype(object).where(series.notna(), None)
        out = out.map(lambda v: v if v is None or isinstance(v, str) else str(v))
        text = out.astype("string").str.strip()
    return text.mask(text.eq("").fillna(False))


def string_array(values: np.ndarray) -> Any:
    """Return an object array (str or None) as a ``string`` array, each distinct value once.

    Parameters
    ----------
    values : ndarray
        Object array of str or None.

    Returns
    -------
    pandas.arrays.StringArray
    """
    keys, uniq = pd.factorize(values, use_na_sentinel=True)
    base = pd.array([*uniq, None], dtype="string")
    return base.take(keys)  # -1 (missing) takes the trailing None


def cell_text(value: Any) -> str:
    """Return a cell as the ledger shows it: text, at most :data:`VALUE_CHARS` characters.

    Parameters
    ----------
    value : object
        The cell.

    Returns
    -------
    str
        ``""`` for a missing cell.
    """
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
        return ""
    return str(value)[:VALUE_CHARS]


def category_text(values: Any) -> pd.Categorical:
    """Return text values (missing allowed) as a categorical of sorted ``string`` categories.

    For the columns that repeat a few values over every row (``source``, ``kind``,
    ``type``, ``type_raw``): one small integer per row instead of one string.

    Parameters
    ----------
    values : array-like
        Text values (``string`` array, Series or object array).

    Returns
    -------
    pandas.Categorical

    Examples
    --------
    >>> c = category_text(pd.array(["petasan", None, "curanmor", "petasan"], dtype="string"))
    >>> list(c.categories), c.codes.tolist()
    (['curanmor', 'petasan'], [1, -1, 0, 1])
    """
    codes, uniques = pd.factorize(pd.array(values, dtype="string"), sort=True)
    return pd.Categorical.from_codes(codes, categories=pd.Index(uniques, dtype="string"))
