"""Tables as CSV files people open in Excel: UTF-8 with BOM, formula-leading text neutralised.

Without the BOM, Excel reads a UTF-8 file as the local code page and shows Chinese as noise.
A text cell starting with = + - @ (or tab, CR) is a formula to Excel ("CSV injection"): such a
cell gets a leading apostrophe (the OWASP rule). Numbers stay numbers, negatives included:
only text is ever prefixed, so -13.3 from a lag column opens as a number.
"""

from __future__ import annotations

import pandas as pd

FORMULA_LEADS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value):
    """A text cell Excel would run as a formula, made plain text; anything else unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_LEADS):
        return "'" + value
    return value


def csv_bytes(table: pd.DataFrame) -> bytes:
    """The table (its index left out) as the bytes of a CSV file."""
    safe = table.copy()
    for column in safe.columns:
        if not pd.api.types.is_numeric_dtype(safe[column]):  # text, lights, mixed: cell by cell
            safe[column] = safe[column].map(neutralise).astype(object)
    safe.columns = [neutralise(str(c)) for c in safe.columns]
    return safe.to_csv(index=False, lineterminator="\r\n").encode("utf-8-sig")
