"""Hostile and unusual upload files for tests/test_ingest_bounds.py, built at test time.

The large workbooks are what the issue tried on the server: 5,000,000 rows × 60 cells of 1 in
13.6 MB. Writing gigabytes of XML through zlib would take minutes, so the sheet is written
directly into a zip: one deflate segment of a thousand identical rows, compressed once and
repeated (each ends on a full flush, so it refers to nothing before it), with the CRC-32 of
the whole computed by combining the CRC of the segment (zlib's crc32_combine, in Python). The
result is a valid xlsx, byte for byte what a streaming writer would produce from those rows.
"""

from __future__ import annotations

import csv
import io
import struct
import zlib

from openpyxl.utils import get_column_letter

from tests.upload_files import FIXTURES

NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
    'package/2006/content-types"><Default Extension="rels" ContentType="application/'
    'vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType='
    '"application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName='
    '"/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.'
    'spreadsheetml.worksheet+xml"/></Types>'
)
ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.'
    f'org/package/2006/relationships"><Relationship Id="rId1" Type="{REL}/officeDocument" '
    'Target="xl/workbook.xml"/></Relationships>'
)
BOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.'
    f'org/package/2006/relationships"><Relationship Id="rId1" Type="{REL}/worksheet" '
    'Target="worksheets/sheet1.xml"/>{strings}</Relationships>'
)
STRINGS_REL = f'<Relationship Id="rId2" Type="{REL}/sharedStrings" Target="sharedStrings.xml"/>'


def _gf2_times(matrix: list[int], vector: int) -> int:
    total, i = 0, 0
    while vector:
        if vector & 1:
            total ^= matrix[i]
        vector >>= 1
        i += 1
    return total


def _gf2_square(matrix: list[int]) -> list[int]:
    return [_gf2_times(matrix, matrix[n]) for n in range(32)]


def crc32_combine(crc1: int, crc2: int, length2: int) -> int:
    """CRC-32 of A+B from CRC-32 of A, of B and B's length (zlib's crc32_combine)."""
    if length2 == 0:
        return crc1
    odd = [0xEDB88320] + [1 << n for n in range(31)]  # the operator for one zero bit
    even = _gf2_square(odd)
    odd = _gf2_square(even)
    while True:
        even = _gf2_square(odd)
        if length2 & 1:
            crc1 = _gf2_times(even, crc1)
        length2 >>= 1
        if not length2:
            break
        odd = _gf2_square(even)
        if length2 & 1:
            crc1 = _gf2_times(odd, crc1)
        length2 >>= 1
        if not length2:
            break
    return crc1 ^ crc2


def _segment(data: bytes) -> bytes:
    """data deflated on its own, ending on a full flush: it can follow any other segment."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    return compressor.compress(data) + compressor.flush(zlib.Z_FULL_FLUSH)


def repeated(head: bytes, unit: bytes, times: int, tail: bytes) -> tuple[bytes, int, int]:
    """(deflated, crc32, length) of head + unit × times + tail, without making it."""
    body, unit_crc, unit_len = _segment(unit), zlib.crc32(unit), len(unit)
    crc, power_crc, power_len, left = zlib.crc32(head), unit_crc, unit_len, times
    deflated = [_segment(head), body * times, _segment(tail)]
    # CRC of unit × times by binary powers: unit, unit×2, unit×4 … combined where times has a 1.
    while left:
        if left & 1:
            crc = crc32_combine(crc, power_crc, power_len)
        left >>= 1
        if left:
            power_crc = crc32_combine(power_crc, power_crc, power_len)
            power_len *= 2
    crc = crc32_combine(crc, zlib.crc32(tail), len(tail))
    final = zlib.compressobj(9, zlib.DEFLATED, -15).flush(zlib.Z_FINISH)  # the last block
    return b"".join(deflated) + final, crc, len(head) + unit_len * times + len(tail)


def _zip(entries: list[tuple[str, bytes, int, int]]) -> bytes:
    """A zip of (name, deflated, crc32, length); zip64 sizes where a length needs them."""
    out, directory = io.BytesIO(), []
    for name, deflated, crc, length in entries:
        offset, encoded = out.tell(), name.encode()
        big = length >= 0xFFFFFFFF or len(deflated) >= 0xFFFFFFFF
        sizes = (0xFFFFFFFF, 0xFFFFFFFF) if big else (len(deflated), length)
        extra = struct.pack("<HHQQ", 1, 16, length, len(deflated)) if big else b""
        out.write(struct.pack("<4s5H3L2H", b"PK\x03\x04", 45, 0, 8, 0, 0x21, crc, *sizes,
                              len(encoded), len(extra)) + encoded + extra + deflated)  # fmt: skip
        directory.append(
            struct.pack("<4s6H3L5H2L", b"PK\x01\x02", 45, 45, 0, 8, 0, 0x21, crc, *sizes,
                        len(encoded), len(extra), 0, 0, 0, 0, offset) + encoded + extra
        )  # fmt: skip
    start = out.tell()
    out.write(b"".join(directory))
    size = out.tell() - start
    out.write(struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, len(entries), len(entries), size,
                          start, 0))  # fmt: skip
    return out.getvalue()


def _small(name: str, text: str) -> tuple[str, bytes, int, int]:
    data = text.encode()
    return name, repeated(data, b"", 0, b"")[0], zlib.crc32(data), len(data)


def workbook(sheet: tuple[bytes, int, int], strings: tuple[bytes, int, int] | None = None) -> bytes:
    """An xlsx of one sheet named Sheet1 whose XML (and sharedStrings.xml) is given deflated."""
    entries = [
        _small("[Content_Types].xml", CONTENT_TYPES),
        _small("_rels/.rels", ROOT_RELS),
        _small(
            "xl/workbook.xml",
            f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{NS}" xmlns:r="{REL}">'
            '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>',
        ),
        _small("xl/_rels/workbook.xml.rels", BOOK_RELS.format(strings=STRINGS_REL * bool(strings))),
        ("xl/worksheets/sheet1.xml", *sheet),
    ]
    if strings is not None:
        entries.append(("xl/sharedStrings.xml", *strings))
    return _zip(entries)


def ones(rows: int, columns: int, *, dimension: bool = True, value: bytes = b"1") -> bytes:
    """rows × columns cells of 1, written 1,000 rows at a time (rows a multiple of 1,000)."""
    assert rows % 1000 == 0 or rows < 1000
    per = min(rows, 1000)
    ref = f'<dimension ref="A1:{get_column_letter(columns)}{rows}"/>' if dimension else ""
    head = f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{NS}">{ref}<sheetData>'
    row = b"<row>" + (b"<c><v>" + value + b"</v></c>") * columns + b"</row>"
    return workbook(repeated(head.encode(), row * per, rows // per, b"</sheetData></worksheet>"))


def shared_string_bomb(gigabytes: int) -> bytes:
    """A two-cell sheet whose sharedStrings.xml unpacks to gigabytes."""
    head = f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{NS}"><dimension ref="A1:B1"/>'
    sheet = (head + '<sheetData><row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1"><v>1</v></c>'
             "</row></sheetData></worksheet>").encode()  # fmt: skip
    unit = b"<si><t>1</t></si>" * 4096
    strings = repeated(
        f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{NS}">'.encode(),
        unit,
        gigabytes * 2**30 // len(unit),
        b"</sst>",
    )
    return workbook((repeated(sheet, b"", 0, b"")[0], zlib.crc32(sheet), len(sheet)), strings)


def far_cell() -> bytes:
    """A sheet declaring A1:B2 whose last cell is at SS300000: 154 million cells to calamine."""
    head = f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{NS}"><dimension ref="A1:B2"/>'
    sheet = (head + '<sheetData><row r="1"><c r="A1"><v>1</v></c></row><row r="300000">'
             '<c r="SS300000"><v>1</v></c></row></sheetData></worksheet>').encode()  # fmt: skip
    return workbook((repeated(sheet, b"", 0, b"")[0], zlib.crc32(sheet), len(sheet)))


# ---- text files --------------------------------------------------------------------------


def progress_rows() -> list[list[str]]:
    """The rows of progress_gbk_title.csv, as Excel holds them after opening it."""
    text = (FIXTURES / "progress_gbk_title.csv").read_bytes().decode("gbk")
    return list(csv.reader(io.StringIO(text, newline="")))


def unicode_text(byteorder: str, delimiter: str) -> bytes:
    """progress_gbk_title.csv saved as Excel's “Unicode 文本”: UTF-16 with its mark."""
    out = io.StringIO(newline="")
    csv.writer(out, delimiter=delimiter, lineterminator="\r\n").writerows(progress_rows())
    mark = b"\xff\xfe" if byteorder == "le" else b"\xfe\xff"
    return mark + out.getvalue().encode(f"utf-16-{byteorder}")


def html_report(encoding: str, meta: bool = True) -> bytes:
    """The August report as a government system exports it under an .xls name: an HTML table
    whose header is two rows (1-8月累计完成投资 over 金额 | 占年度计划), title rows spanning it."""
    charset = {"gbk": "gb2312", "utf-8": "utf-8"}[encoding]
    head = (
        f'<meta http-equiv="Content-Type" content="text/html; charset={charset}">' if meta else ""
    )
    rows = [
        ["XZ2020-001", "隆基乐叶年产5GW单晶组件项目", "35,685", "170,000", "85.0", "在建",
         "2020-02-20", "设备安装调试", "&nbsp;"],
        ["XZ2020-002", "益诚年产54万台新能源汽车电机项目", "14582.21", "47758.85", "88.6", "在建",
         "2020/5/9", "主体结构施工", ""],
        ["&nbsp;", "嘉鸿年产1200台套智能装备项目", "4830", "37,234", "87.2", "在建",
         "2017年9月15日", "试生产", "/"],
        ["", "新塍镇 污水管网提升工程", "1,200", "2000", "76.9", "开工", "2020.5", "管网铺设",
         "用地指标未落实"],
    ]  # fmt: skip
    body = "\n".join("<tr>" + "".join(f"<td>{cell}</td>" for cell in row) + "</tr>" for row in rows)
    page = f"""<html xmlns:o="urn:schemas-microsoft-com:office:office"
 xmlns:x="urn:schemas-microsoft-com:office:excel">
<head>{head}<title>导出数据</title><style>td {{ mso-number-format: "\\@"; }}</style></head>
<body>
<table border="1" cellspacing="0">
<tr><td colspan="9" align="center"><b>秀洲区重点项目2020年1-8月进展情况</b></td></tr>
<tr><td colspan="9">单位：万元</td></tr>
<tr><th rowspan="2">项目代码</th><th rowspan="2">项目名称</th><th rowspan="2">本月完成<br>投资</th>
<th colspan="2">1-8月累计完成投资</th><th rowspan="2">项目阶段</th><th rowspan="2">实际开工日期</th>
<th rowspan="2">形象进度</th><th rowspan="2">存在问题</th></tr>
<tr><th>金额（万元）</th><th>占年度计划(%)</th></tr>
{body}
<tr><td colspan="2">合计</td><td>55,297.21</td><td>256,992.85</td><td></td><td></td><td></td>
<td></td><td></td></tr>
</table>
</body></html>
"""
    return page.encode(encoding)
