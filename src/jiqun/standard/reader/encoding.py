"""The text encoding of a CSV/TSV/TXT file: a BOM (UTF-8, UTF-16), else UTF-8, else GB18030
(a superset of GBK/GB2312), else charset-normalizer's guess; each validated over the whole file.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass
from pathlib import Path

from jiqun.standard.problems import Problem
from jiqun.standard.reader.result import fatal, p

CHUNK = 8 << 20  # bytes per chunk when validating an encoding over the whole file


@dataclass
class Encoding:
    name: str  # reported name: utf-8-sig, utf-8, gb18030, utf-16, ...
    codec: str  # codec for the bytes after the BOM
    bom: int  # BOM length in bytes
    newlines: int  # b"\n" count of the whole file (-1 if not countable for this codec)
    quotes: bool  # whether the file contains a double quote
    ends_with_newline: bool


def _validate(path: Path, codec: str, start: int) -> tuple[bool, int, bool]:
    """Strictly decode the whole file; returns (ok, newline count, has quote)."""
    dec = codecs.getincrementaldecoder(codec)(errors="strict")
    nl = 0
    quote = False
    with open(path, "rb") as f:
        f.seek(start)
        while chunk := f.read(CHUNK):
            try:
                dec.decode(chunk)
            except UnicodeDecodeError:
                return False, 0, False
            nl += chunk.count(b"\n")
            quote = quote or b'"' in chunk
        try:
            dec.decode(b"", final=True)
        except UnicodeDecodeError:
            return False, 0, False
    return True, nl, quote


def detect_encoding(path: Path, head: bytes, size: int, source: str) -> Encoding:
    with open(path, "rb") as f:
        f.seek(max(0, size - 1))
        ends_nl = f.read(1) in (b"\n", b"\r")
    if head.startswith(codecs.BOM_UTF8):
        ok, nl, q = _validate(path, "utf-8", 3)
        if ok:
            return Encoding("utf-8-sig", "utf-8", 3, nl, q, ends_nl)
    elif head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        codec = "utf-16-le" if head.startswith(codecs.BOM_UTF16_LE) else "utf-16-be"
        ok, _, _ = _validate(path, codec, 2)
        if ok:
            return Encoding("utf-16", codec, 2, -1, True, ends_nl)
    else:
        for codec in ("utf-8", "gb18030"):
            ok, nl, q = _validate(path, codec, 0)
            if ok:
                return Encoding(codec, codec, 0, nl, q, ends_nl)
    # last resort: charset-normalizer on a sample, then strict validation of the whole file
    tried = "UTF-8 (BOM), UTF-8, GB18030"
    try:
        from charset_normalizer import from_bytes

        best = from_bytes(head).best()
    except Exception:  # pragma: no cover - defensive
        best = None
    if best is not None and best.encoding:
        codec = codecs.lookup(best.encoding).name
        ok, _, _ = _validate(path, codec, 0)
        if ok:
            return Encoding(codec, codec, 0, -1, True, ends_nl)
        tried += f", {codec}"
    fatal(
        "file.encoding",
        f"无法识别文件编码（已尝试 {tried}），请在 Excel/WPS 中另存为“CSV UTF-8”或 .xlsx",
        f"cannot determine the text encoding (tried {tried}); save the file as 'CSV UTF-8' or .xlsx",
        column=None,
        value=source,
    )


def encoding_note(enc: Encoding) -> Problem:
    label = {
        "utf-8-sig": ("UTF-8（带BOM）", "UTF-8 with BOM (utf-8-sig)"),
        "utf-8": ("UTF-8", "UTF-8"),
        "gb18030": ("GB18030（兼容GBK/GB2312）", "GB18030 (superset of GBK/GB2312)"),
        "utf-16": ("UTF-16（带BOM）", "UTF-16 with BOM"),
    }.get(enc.name, (enc.name, f"{enc.name} (detected by charset-normalizer)"))
    return p(
        "file.encoding",
        "normalised" if enc.name in ("utf-8-sig", "utf-8", "gb18030", "utf-16") else "warning",
        f"按 {label[0]} 编码读取",
        f"read as {label[1]}",
        value=enc.name,
    )
