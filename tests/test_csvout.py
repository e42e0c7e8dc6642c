"""CSV downloads: UTF-8 with BOM, formula-leading text neutralised, numbers left numbers."""

from __future__ import annotations

import csv
import io

import pandas as pd

from xzcore.display import csvout


def _rows(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def test_starts_with_a_bom_and_keeps_chinese():
    data = csvout.csv_bytes(pd.DataFrame({"项目名称": ["隆基乐叶年产5GW单晶组件项目"]}))
    assert data.startswith(b"\xef\xbb\xbf")
    assert _rows(data) == [["项目名称"], ["隆基乐叶年产5GW单晶组件项目"]]


def test_text_that_excel_would_run_as_a_formula_gets_an_apostrophe():
    names = ['=HYPERLINK("x")', "+86 573", "-工程", "@SUM(A1)", "\t制表", "\r回车", "a=b", "正常"]
    rows = _rows(csvout.csv_bytes(pd.DataFrame({"项目名称": names})))
    assert [r[0] for r in rows[1:]] == [
        '\'=HYPERLINK("x")',
        "'+86 573",
        "'-工程",
        "'@SUM(A1)",
        "'\t制表",
        "'\r回车",
        "a=b",  # only the first character counts
        "正常",
    ]


def test_numbers_stay_numbers_negative_ones_too():
    table = pd.DataFrame(
        {
            "滞后（百分点）": [-13.3, 4.5, float("nan")],
            "项目数": [3, 0, 12],
            "代码": ["-5", "7", None],  # text that looks like a number is still text
        }
    )
    rows = _rows(csvout.csv_bytes(table))
    assert rows[1] == ["-13.3", "3", "'-5"]
    assert rows[2] == ["4.5", "0", "7"]
    assert rows[3] == ["", "12", ""]
    back = pd.read_csv(io.BytesIO(csvout.csv_bytes(table)), encoding="utf-8-sig")
    assert back["滞后（百分点）"].tolist()[:2] == [-13.3, 4.5]


def test_mixed_columns_and_headers_are_checked_cell_by_cell():
    table = pd.DataFrame({"=列": [1, "=1+1", "文字"]})
    rows = _rows(csvout.csv_bytes(table))
    assert rows == [["'=列"], ["1"], ["'=1+1"], ["文字"]]
