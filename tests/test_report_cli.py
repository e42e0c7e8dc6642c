"""python -m xzcore report: each format written, and errors in one Chinese line, exit 1."""

from __future__ import annotations

import hashlib

import openpyxl
import pytest
from PIL import Image

from tests.test_cli import cli
from xzcore.report import plots


def report(db, *args):
    """python -m xzcore report … (in this process: tests.test_cli.cli)."""
    return cli("report", *args, db=db)


def _sha(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_pdf_is_written_and_the_database_left_untouched(demo_db, tmp_path):
    before = _sha(demo_db)
    out = tmp_path / "通报.pdf"
    result = report(demo_db, "--month", "2020-08", "--format", "pdf", "-o", str(out))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"已生成PDF：{out}"
    assert out.read_bytes().startswith(b"%PDF-")
    assert _sha(demo_db) == before  # opened read-only
    assert [p.name for p in tmp_path.iterdir()] == ["通报.pdf"]  # no temporary left behind


def test_xlsx_is_written(demo_db, tmp_path):
    out = tmp_path / "通报.xlsx"
    result = report(demo_db, "--month", "2020-08", "--format", "xlsx", "-o", str(out))
    assert result.returncode == 0, result.stderr
    book = openpyxl.load_workbook(out)
    assert book.sheetnames[:3] == ["总体", "按责任单位", "按镇街道"]
    assert book["总体"].cell(row=4, column=2).value == 113


def test_png_dir_holds_one_valid_png_per_chart(demo_db, tmp_path):
    out = tmp_path / "图表" / "2020-08"  # made, parents too
    result = report(demo_db, "--month", "2020-08", "--format", "png-dir", "-o", str(out))
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in out.iterdir()) == [f"{n}.png" for n in plots.NAMES]
    for path in out.iterdir():
        with Image.open(path) as image:
            image.verify()  # a whole, readable PNG
            assert image.format == "PNG" and image.width == 1800


@pytest.mark.parametrize(
    ("fmt", "month", "target", "message"),
    [
        ("pdf", "2021-08", "x.pdf", "错误：2021-08 没有数据：现有 2020-01 至 2020-08"),
        ("xlsx", "2020-13", "x.xlsx", "错误：月份无效：2020-13"),
        ("pdf", "2020-08", "missing/x.pdf", "所在目录不存在"),
        ("xlsx", "2020-08", "file.txt/x.xlsx", "路径中有一段不是目录"),
        ("png-dir", "2020-08", "file.txt/图表", "路径中有一段不是目录"),
        ("pdf", "2020-08", ".", "这是一个目录"),
    ],
)
def test_errors_are_one_chinese_line(demo_db, tmp_path, fmt, month, target, message):
    (tmp_path / "file.txt").write_text("x")
    out = tmp_path / target
    result = report(demo_db, "--month", month, "--format", fmt, "-o", str(out))
    assert result.returncode == 1
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert result.stderr.startswith("错误：") and message in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file.txt"]  # nothing written
