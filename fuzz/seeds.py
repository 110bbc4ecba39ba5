#!/usr/bin/env python3
"""Build a fuzz seed corpus from ../shared/corpus into a directory (never into the repo).

    fuzz/seeds.py text OUT_DIR [--max-files N] [--piece-size BYTES]
    fuzz/seeds.py zip OUT_DIR [--max-files N]

`text`: pieces of the corpus's text files and of the text entries of its zip saves, cut
at line ends to at most --piece-size bytes (the fuzz targets' -max_len), several per file
(start, middle, end), plus every small file whole. `zip`: the corpus's small archives
whole, and small zips rebuilt from the first bytes of each big archive's entries.

The corpus is found relative to this file (../../shared/corpus). With CI set a missing
corpus is an error; otherwise the seed directory is left empty and libFuzzer starts from
nothing.
"""

import argparse
import hashlib
import io
import os
import sys
import zipfile
from pathlib import Path

CORPUS = Path(__file__).resolve().parent.parent.parent / "shared" / "corpus"
ARCHIVE_SUFFIXES = (".zip", ".sav", ".rar", ".gz")


def corpus_files():
    for path in sorted(CORPUS.rglob("*")):
        if path.is_file() and path.name not in ("README.md", "manifest.json"):
            yield path


def is_zip(data: bytes) -> bool:
    return data[:4] == b"PK\x03\x04"


def pieces(data: bytes, size: int):
    """Up to three line-aligned pieces: the start, the middle and the end."""
    if len(data) <= size:
        yield data
        return
    for start in (0, len(data) // 2, len(data) - size):
        if start:
            nl = data.find(b"\n", start, start + size // 2)
            start = nl + 1 if nl >= 0 else start
        piece = data[start : start + size]
        nl = piece.rfind(b"\n")
        if nl > size // 2:
            piece = piece[: nl + 1]
        yield piece


def zip_texts(data: bytes, limit: int):
    """The first `limit` bytes of each entry of a zip archive."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            for info in z.infolist():
                with z.open(info) as f:
                    yield info.filename, f.read(limit)
    except (zipfile.BadZipFile, NotImplementedError, OSError):
        return


def write(out: Path, data: bytes, counter: dict, max_files: int):
    if counter["n"] >= max_files or not data:
        return
    name = hashlib.sha1(data).hexdigest()
    target = out / name
    if not target.exists():
        target.write_bytes(data)
        counter["n"] += 1


def text_seeds(out: Path, max_files: int, piece_size: int):
    counter = {"n": 0}
    for path in corpus_files():
        data = path.read_bytes()
        if is_zip(data):
            for _, text in zip_texts(data, piece_size * 4):
                for piece in pieces(text, piece_size):
                    write(out, piece, counter, max_files)
        elif path.suffix not in ARCHIVE_SUFFIXES:
            for piece in pieces(data, piece_size):
                write(out, piece, counter, max_files)
    return counter["n"]


def zip_seeds(out: Path, max_files: int):
    counter = {"n": 0}
    for path in corpus_files():
        data = path.read_bytes()
        if not is_zip(data):
            continue
        if len(data) <= 64 << 10:
            write(out, data, counter, max_files)
            continue
        # A big save: rebuild a small zip of the same shape (names, methods, text starts).
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
            for name, text in zip_texts(data, 2048):
                z.writestr(name, text)
        write(out, buf.getvalue(), counter, max_files)
        stored = io.BytesIO()
        with zipfile.ZipFile(stored, "w", zipfile.ZIP_STORED) as z:
            for name, text in zip_texts(data, 512):
                z.writestr(name, text)
        write(out, stored.getvalue(), counter, max_files)
    return counter["n"]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("kind", choices=["text", "zip"])
    parser.add_argument("out", type=Path)
    parser.add_argument("--max-files", type=int, default=400)
    parser.add_argument("--piece-size", type=int, default=4096)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    if not CORPUS.is_dir():
        if os.environ.get("CI"):
            sys.exit(f"seeds.py: corpus not found at {CORPUS} (CI is set)")
        print(f"seeds.py: no corpus at {CORPUS}; starting from an empty seed set")
        return
    if args.kind == "text":
        n = text_seeds(args.out, args.max_files, args.piece_size)
    else:
        n = zip_seeds(args.out, args.max_files)
    print(f"seeds.py: {n} {args.kind} seeds in {args.out}")


if __name__ == "__main__":
    main()
