#!/usr/bin/env python3
"""Hostile inputs for pdxedge, built at test time (nothing large lives in the repo).

    scripts/hostile/generate.py OUT_DIR [NAME...]

Writes each named case (default: all) into OUT_DIR and prints `name<TAB>path<TAB>bytes`.
`run.py` imports CASES from here; each case is a function writing one file.

The big ones are written in streamed blocks, so the generator itself stays small in
memory: the 1 GB deflate bomb is about 1 MB on disk.
"""

import io
import os
import string
import struct
import sys
import zipfile
import zlib
from pathlib import Path

MB = 1 << 20

# A small save-like document, repeated to make realistic text of any size.
SAVE_BLOCK = (
    b'country = {\n\ttag = "KOR"\n\tcapital = 735\n\tmoney = 123.456\n'
    b"\tflags = { a b c }\n\thistory = { 1444.11.11 = { owner = KOR } }\n"
    b"\tcolor = rgb { 10 20 30 }\n}\n"
)


def save_text(size: int) -> bytes:
    reps = size // len(SAVE_BLOCK) + 1
    return (b"EU4txt\n" + SAVE_BLOCK * reps)[:size]


def write_blocks(path: Path, head: bytes, fill: bytes, total: int, tail: bytes = b""):
    """head, then `fill` repeated up to `total` bytes of body, then tail: streamed."""
    block = fill * max(1, (1 << 20) // len(fill))
    with open(path, "wb") as f:
        f.write(head)
        left = total
        while left > 0:
            piece = block[: min(left, len(block))]
            f.write(piece)
            left -= len(piece)
        f.write(tail)


def case_empty(path: Path):
    path.write_bytes(b"")


def case_truncated_text(path: Path):
    # A nested document cut inside its third level: not a document that looks complete.
    doc = b"EU4txt\n" + b"a = { b = { c = { " + SAVE_BLOCK * 2000
    path.write_bytes(doc[: len(doc) * 2 // 3])


def case_truncated_zip(path: Path):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("meta", save_text(4096))
        z.writestr("gamestate", save_text(2 * MB))
    data = buf.getvalue()
    path.write_bytes(data[: len(data) // 2])


def case_deflate_bomb(path: Path):
    """One entry `gamestate` inflating to 1 GiB of zeros (about 1 MB compressed)."""
    size = 1 << 30
    comp = zlib.compressobj(9, zlib.DEFLATED, -15)
    crc = 0
    chunk = bytes(MB)
    parts = []
    for _ in range(size // len(chunk)):
        crc = zlib.crc32(chunk, crc)
        parts.append(comp.compress(chunk))
    parts.append(comp.flush())
    deflated = b"".join(parts)
    name = b"gamestate"
    local = struct.pack(
        "<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0, crc, len(deflated), size, len(name), 0
    )
    central = struct.pack(
        "<IHHHHHHIIIHHHHHII",
        0x02014B50, 20, 20, 0, 8, 0, 0, crc, len(deflated), size, len(name), 0, 0, 0, 0, 0, 0,
    )
    cd_offset = len(local) + len(name) + len(deflated)
    end = struct.pack(
        "<IHHHHIIH", 0x06054B50, 0, 0, 1, 1, len(central) + len(name), cd_offset, 0
    )
    with open(path, "wb") as f:
        f.write(local + name)
        f.write(deflated)
        f.write(central + name + end)


def case_zip_in_zip(path: Path):
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("gamestate", save_text(64 << 10))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as z:
        z.writestr("gamestate", inner.getvalue())


def case_many_entries(path: Path):
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as z:
        for i in range(100_000):
            z.writestr(f"e{i}", b"a=1\n")


def case_unsafe_names(path: Path):
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("meta", save_text(1024))
        # zipfile would strip these prefixes from a file name; ZipInfo keeps them as given.
        for name in ("/etc/pdxedge-absolute", "../../pdxedge-escape", "a/../../b"):
            info = zipfile.ZipInfo(name)
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, b"a=1\n")


def case_nested_braces(path: Path):
    # `a={{{...`: one field whose value nests a million lists deep.
    write_blocks(path, b"a=", b"{", 1_000_000)


def case_single_token(path: Path):
    # One unquoted token of 100 MB: `a = xxxx...`
    write_blocks(path, b"a = ", b"x", 100 * MB)


def case_unclosed_quote(path: Path):
    # An unclosed quote at the start of a 50 MB file (of text with no other quote).
    write_blocks(path, b'a = "', SAVE_BLOCK.replace(b'"', b""), 50 * MB)


def case_repeated_keys(path: Path):
    # One object of 2,000,000 fields with two keys, `o={ a=1 b=1 a=1 b=1 ... }` (8 MB):
    # in group mode the records of its fields (48 bytes each) were once not capped, and
    # finding a key's first place took time quadratic in the object's size (for
    # `a=1 a=1 ... b=1 b=1 ...`, whose keys, each repeated right after itself, are now
    # gathered in place with one record each; the keys alternate to keep a record a field).
    n = 1_000_000
    path.write_bytes(b"o={ " + b"a=1 b=1 " * n + b"}\n")


def case_colliding_keys(path: Path):
    # 238,328 distinct 19-byte keys in one object that differ only in their three
    # middle bytes (5 MB): group mode's fingerprint once saw only a long key's first and
    # last 8 bytes, so they all shared one probe chain (time quadratic in their number).
    alphabet = string.ascii_letters + string.digits
    with path.open("wb") as f:
        f.write(b"o={ ")
        for a in alphabet:
            for b in alphabet:
                line = "".join(f"aaaaaaaa{a}{b}{c}aaaaaaaa=1 " for c in alphabet)
                f.write(line.encode())
        f.write(b"}\n")


def case_deep_pretty(path: Path):
    # Four objects nested 4,000 deep (64 KB, within the server's depth limit of 4,096):
    # pretty JSON indents each line by twice its depth, 128 MB in all, once made by one
    # feed and held whole.
    path.write_bytes((b"a={" * 4000 + b"}" * 4000 + b"\n") * 4)


def case_nul_bytes(path: Path):
    path.write_bytes(b"a = b\x00c\nd\x00 = 1\n\x00\x00\x00\nx = { 1 \x00 2 }\n")


def case_invalid_utf8(path: Path):
    # CK3txt declares UTF-8; the bytes after it are not.
    path.write_bytes(b"CK3txt\nname = \"\xff\xfe\xc3\x28\"\nkey\xe2\x82 = 1\n")


def case_utf16(path: Path):
    path.write_bytes("\ufeffa = b\nc = { 1 2 }\n".encode("utf-16-le"))


def case_binary_save(path: Path):
    # An EU4bin header and a few binary tokens (id, '=' , i32).
    path.write_bytes(b"EU4bin" + struct.pack("<HHHi", 0x2C4F, 0x0001, 0x000C, 7) * 64)


def case_binary_zip(path: Path):
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("meta", b"EU4bin" + bytes(range(256)) * 4)
        z.writestr("gamestate", b"EU4bin" + bytes(range(256)) * 64)


CASES = {
    "empty": (case_empty, "empty input"),
    "truncated-text": (case_truncated_text, "text cut inside nested objects"),
    "truncated-zip": (case_truncated_zip, "zip cut in half (no central directory)"),
    "deflate-bomb": (case_deflate_bomb, "zip entry inflating to 1 GiB of zeros"),
    "zip-in-zip": (case_zip_in_zip, "a zip stored inside a zip"),
    "many-entries": (case_many_entries, "zip with 100,000 entries"),
    "unsafe-names": (case_unsafe_names, "zip entries with absolute and `..` names"),
    "nested-braces": (case_nested_braces, "`a=` then 1,000,000 nested `{`"),
    "single-token": (case_single_token, "one 100 MB unquoted token"),
    "unclosed-quote": (case_unclosed_quote, "unclosed quote at the start of 50 MB"),
    "repeated-keys": (case_repeated_keys, "one object of 2,000,000 fields of two keys"),
    "colliding-keys": (case_colliding_keys, "238,328 long keys that differ only in the middle"),
    "deep-pretty": (case_deep_pretty, "64 KB nested 4,000 deep, converted with pretty output"),
    "nul-bytes": (case_nul_bytes, "NUL bytes in keys, values and between tokens"),
    "invalid-utf8": (case_invalid_utf8, "invalid UTF-8 after a CK3txt (UTF-8) header"),
    "utf16": (case_utf16, "UTF-16LE text with a BOM"),
    "binary-save": (case_binary_save, "EU4bin binary save"),
    "binary-zip": (case_binary_zip, "zip of EU4bin entries"),
}


def generate(name: str, out_dir: Path) -> Path:
    func, _ = CASES[name]
    path = out_dir / name
    func(path)
    return path


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    out = Path(sys.argv[1])
    out.mkdir(parents=True, exist_ok=True)
    for name in sys.argv[2:] or CASES:
        path = generate(name, out)
        print(f"{name}\t{path}\t{os.path.getsize(path)}")


if __name__ == "__main__":
    main()
