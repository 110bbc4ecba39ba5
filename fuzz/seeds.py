#!/usr/bin/env python3
"""Build a fuzz seed corpus from ../shared/corpus into a directory (never into the repo).

    fuzz/seeds.py text OUT_DIR [--max-files N] [--piece-size BYTES]
    fuzz/seeds.py zip OUT_DIR [--max-files N]
    fuzz/seeds.py containers OUT_DIR [--max-files N] [--piece-size BYTES]

`text`: pieces of the corpus's text files and of the text entries of its zip saves, cut
at line ends to at most --piece-size bytes (the fuzz targets' -max_len), several per file
(start, middle, end), plus every small file whole. `zip`: the corpus's small archives
whole, and small zips rebuilt from the first bytes of each big archive's entries.
`containers`: seeds for the container targets (container_json, recompress, info): a
control byte (see fuzz/src/containers.rs) then a file: the `zip` seeds, `SAV` saves
(the corpus's, cut to --piece-size, and compressed kinds rebuilt around small zips),
text and binary file heads, and gzip (and, when the `zstd` tool exists, zstd) streams
of text pieces.

The corpus is found relative to this file (../../shared/corpus). With CI set a missing
corpus is an error; otherwise the seed directory is left empty and libFuzzer starts from
nothing.
"""

import argparse
import hashlib
import io
import gzip
import os
import shutil
import subprocess
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


def sav(kind: int, meta: bytes, body: bytes) -> bytes:
    """A `SAV` save: the 24-byte line (version 1, `kind`), the metadata block, the body."""
    line = b"SAV01%02x%08x%08x\n" % (kind, 0x797DE243, len(meta))
    return line + meta + body


def small_zip(entries, method=zipfile.ZIP_DEFLATED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", method) as z:
        for name, text in entries:
            z.writestr(name, text)
    return buf.getvalue()


def zstd_of(data: bytes):
    tool = shutil.which("zstd")
    if not tool:
        return None
    done = subprocess.run([tool, "-q", "-c", "-3"], input=data, capture_output=True)
    return done.stdout if done.returncode == 0 else None


def container_seeds(out: Path, max_files: int, piece_size: int):
    """Each file twice: with no file name hint (control 0) and with a hint and options
    (an EU4 name, group mode; a CK3 name, pretty), so both paths start covered."""
    counter = {"n": 0}

    def put(data: bytes, control: int = 0):
        write(out, bytes([control]) + data, counter, max_files)

    for path in corpus_files():
        data = path.read_bytes()
        if is_zip(data):
            texts = list(zip_texts(data, 2048))
            if len(data) <= piece_size:
                put(data)
            put(small_zip(texts), 0x11)
            put(small_zip([(n, t[:512]) for n, t in texts], zipfile.ZIP_STORED), 0x42)
            # The shape of CK3/Vic3/Imperator compressed saves: text metadata, then a zip.
            meta = next((t[:1024] for n, t in texts if n == "meta"), texts[0][1][:1024] if texts else b"")
            put(sav(2, meta, small_zip([(n, t[:1024]) for n, t in texts if n != "meta"])), 0x02)
            put(sav(4, b"", small_zip([(n, t[:1024]) for n, t in texts])), 0x04)
        elif path.suffix in ARCHIVE_SUFFIXES:
            put(data[:piece_size])
        else:
            head = data[:piece_size]
            put(head)
            if head.startswith(b"SAV"):
                put(head, 0x04)
            elif len(data) > 4 * piece_size or path.suffix != ".txt":
                # Big text saves and binary files: the start, with an EU4 name hint.
                put(data[: piece_size // 4], 0x01)
                put(gzip.compress(data[: piece_size * 2], mtime=0), 0x11)
                z = zstd_of(data[: piece_size * 2])
                if z:
                    put(z)
    return counter["n"]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("kind", choices=["text", "zip", "containers"])
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
    elif args.kind == "zip":
        n = zip_seeds(args.out, args.max_files)
    else:
        n = container_seeds(args.out, args.max_files, args.piece_size)
    print(f"seeds.py: {n} {args.kind} seeds in {args.out}")


if __name__ == "__main__":
    main()
