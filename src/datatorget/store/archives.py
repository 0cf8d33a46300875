"""Zip bombs: a spreadsheet (XLSX, ODS) is a zip archive, and is checked before anything unpacks it.

Only the archive's directory is read, never the data: how many entries, how large they say they are once
unpacked, and how tightly they are packed. Python's zipfile never unpacks more than an entry's stated
size (and then fails its checksum), so stated sizes within the limits bound the work of openpyxl.
"""

from __future__ import annotations

import struct
import zipfile
from dataclasses import dataclass
from pathlib import Path

from datatorget.store.report import IngestionFailed

MAX_ENTRIES = 10_000  # a workbook has a few dozen parts; tens of thousands is no spreadsheet
MAX_DIRECTORY_BYTES = 16 * 1024 * 1024
MAX_RATIO = 200  # unpacked / packed; real sheets pack 5–30 times, deflate can reach about 1,000
RATIO_FROM_BYTES = 4 * 1024 * 1024  # small entries may pack as tightly as they like
EOCD = b"PK\x05\x06"
EOCD_SIZE = 22
ZIP64_LOCATOR = b"PK\x06\x07"
ZIP64_EOCD = b"PK\x06\x06"
MAX_COMMENT = 0xFFFF


@dataclass(frozen=True)
class Directory:
    """What the end of a zip archive says about its directory."""

    entries: int
    byte_size: int


def read_directory_size(path: Path) -> Directory:
    """The number of entries and the size of the central directory, from the end-of-directory record.

    Read before `zipfile.ZipFile`, which builds an object per entry: millions of tiny entries would
    otherwise use gigabytes of memory before any check could run.
    """
    size = path.stat().st_size
    with path.open("rb") as file:
        start = max(0, size - EOCD_SIZE - MAX_COMMENT - 20)
        file.seek(start)
        tail = file.read()
    at = tail.rfind(EOCD)
    if at < 0 or len(tail) - at < EOCD_SIZE:
        raise broken_zip()
    entries, byte_size = struct.unpack_from("<HI", tail, at + 10)
    if entries == 0xFFFF or byte_size == 0xFFFFFFFF:
        return _zip64_directory(tail, at)
    return Directory(entries, byte_size)


def _zip64_directory(tail: bytes, eocd_at: int) -> Directory:
    """The directory figures of a ZIP64 archive, from its own end record (found through the locator)."""
    locator = eocd_at - 20
    if locator < 0 or tail[locator : locator + 4] != ZIP64_LOCATOR:
        raise broken_zip()
    # The ZIP64 end record sits just before the locator in any archive a spreadsheet program writes.
    record = tail.rfind(ZIP64_EOCD, 0, locator)
    if record < 0 or locator - record < 56:
        raise broken_zip()
    entries, byte_size = struct.unpack_from("<QQ", tail, record + 32)
    return Directory(int(entries), int(byte_size))


def check_directory(path: Path) -> None:
    """Refuse a zip with more entries, or a larger directory, than any spreadsheet has (read from the end
    record alone, before anything lists the entries)."""
    directory = read_directory_size(path)
    if directory.entries > MAX_ENTRIES or directory.byte_size > MAX_DIRECTORY_BYTES:
        raise zip_bomb(
            sv=f"Arkivet har {directory.entries} delar; ett kalkylark har som mest några hundra.",
            en=f"The archive has {directory.entries} parts; a spreadsheet has a few hundred at most.",
        )


def check_spreadsheet_zip(path: Path, *, max_uncompressed_bytes: int) -> list[zipfile.ZipInfo]:
    """Refuse a zip that unpacks to too much, packs absurdly tightly or is built to mislead; its entries."""
    check_directory(path)
    try:
        with zipfile.ZipFile(path) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise broken_zip() from exc
    names = [entry.filename for entry in entries]
    if len(set(names)) != len(names):
        raise broken_zip()  # two entries of one name: programs disagree on which one is read
    total = sum(entry.file_size for entry in entries)
    if total > max_uncompressed_bytes:
        raise zip_bomb(
            sv=f"Kalkylarket packas upp till {_size(total, ',')}; som mest {_size(max_uncompressed_bytes, ',')} "
            "går att läsa in. Dela upp det eller spara det som CSV.",
            en=f"The spreadsheet unpacks to {_size(total)}; at most {_size(max_uncompressed_bytes)} can be "
            "read. Split it or save it as CSV.",
        )
    for entry in entries:
        if entry.file_size > RATIO_FROM_BYTES and entry.file_size > MAX_RATIO * max(entry.compress_size, 1):
            raise zip_bomb(
                sv=f"Delen {entry.filename[:100]} i kalkylarket är packad {entry.file_size // max(entry.compress_size, 1)} "
                "gånger tätare än vanliga kalkylark; filen kan vara en så kallad zip-bomb och läses inte in.",
                en=f"The part {entry.filename[:100]} of the spreadsheet is packed {entry.file_size // max(entry.compress_size, 1)} "
                "times more tightly than real spreadsheets; the file may be a so-called zip bomb and is not read.",
            )
    return entries


def zip_bomb(*, sv: str, en: str) -> IngestionFailed:
    """The refusal of an archive that would unpack to too much."""
    return IngestionFailed("zip_bomb", sv=sv, en=en)


def broken_zip() -> IngestionFailed:
    """The refusal of an archive that cannot be read as one."""
    return IngestionFailed(
        "broken_zip",
        sv="Filen ser ut som ett kalkylark (zip) men går inte att öppna; den kan vara trasig eller ofullständig.",
        en="The file looks like a spreadsheet (zip) but cannot be opened; it may be damaged or incomplete.",
    )


def _size(byte_count: int, decimal: str = ".") -> str:
    """A byte count for people: MB below a gigabyte, GB with one decimal above."""
    if byte_count >= 1024**3:
        return f"{byte_count / 1024**3:.1f} GB".replace(".", decimal)
    return f"{max(byte_count // 1024**2, 1)} MB"
