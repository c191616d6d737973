"""Reading an export file: a .zip holding one .xml, or the .xml itself, streamed record by record.

The XML is read with `iterparse` and every record is cleared once turned into a compact record
object, so the element tree of the file is never held in memory.
"""

import re
import xml.etree.ElementTree as ET
import zipfile
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import IO

from .errors import OnisepImportError, RecordError

Progress = Callable[[int], None]  # receives the number of records read so far

ZIP_MAGIC = b"PK\x03\x04"
# Onisep_Ideo_Fiches_metiers_25062024.zip -> 25/06/2024
_DATE_IN_NAME = re.compile(r"(?<!\d)(\d{2})(\d{2})(\d{4})(?!\d)")
PROGRESS_EVERY = 100


def export_date_from_name(*names: str) -> date | None:
    """The export date written in an ONISEP file name (`..._25062024.zip`), if any."""
    for name in names:
        for match in _DATE_IN_NAME.finditer(Path(name).name):
            day, month, year = (int(part) for part in match.groups())
            try:
                return date(year, month, day)
            except ValueError:
                continue
    return None


@contextmanager
def open_export(path: Path, label: str) -> Iterator[tuple[IO[bytes], str]]:
    """The XML byte stream of `path` and the name of the XML file (the member of a zip)."""
    if not path.is_file():
        raise OnisepImportError("fichier introuvable.", file=label)
    try:
        with path.open("rb") as handle:
            magic = handle.read(4)
    except OSError as error:
        raise OnisepImportError(f"fichier illisible ({error.strerror or error}).", file=label) from error
    if magic != ZIP_MAGIC and path.suffix.lower() != ".zip":
        with path.open("rb") as stream:
            yield stream, path.name
        return
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as error:
        raise OnisepImportError("archive ZIP illisible ou incomplète.", file=label) from error
    with archive:
        members = [info for info in archive.infolist() if info.filename.lower().endswith(".xml")]
        if len(members) != 1:
            raise OnisepImportError(
                f"l’archive doit contenir un seul fichier XML (trouvé : {len(members)}).", file=label
            )
        with archive.open(members[0]) as stream:
            yield stream, members[0].filename


def read_records[T](
    path: Path,
    *,
    label: str,
    root_tag: str,
    record_tag: str,
    parse: Callable[[ET.Element], T],
    progress: Progress | None = None,
) -> tuple[list[T], str]:
    """Every record of the file, parsed by `parse`, and the name of the XML file.

    Any problem (unreadable zip, malformed or truncated XML, a record `parse` refuses) raises
    OnisepImportError naming the file, the record being read and the element.
    """
    records: list[T] = []
    stack: list[str] = []
    current_id = ""
    count = 0
    inner_name = path.name

    def record_label() -> str:
        return current_id or (f"n° {count} (sans identifiant)" if count else "")

    try:
        with open_export(path, label) as (stream, inner_name):
            root = None
            for event, element in ET.iterparse(stream, events=("start", "end")):
                if event == "start":
                    if root is None:
                        root = element
                        if element.tag != root_tag:
                            raise OnisepImportError(
                                f"élément racine <{element.tag}> au lieu de <{root_tag}> : "
                                "ce n’est pas le fichier attendu.",
                                file=label,
                            )
                    elif len(stack) == 1:
                        current_id, count = "", count + 1
                    stack.append(element.tag)
                    continue
                stack.pop()
                if len(stack) == 2 and element.tag == "identifiant":
                    current_id = (element.text or "").strip()
                elif len(stack) == 1 and root is not None:
                    if element.tag == record_tag:
                        try:
                            records.append(parse(element))
                        except RecordError as error:
                            raise OnisepImportError(
                                error.message, file=label, record=record_label(), element=error.element
                            ) from error
                        if progress is not None and count % PROGRESS_EVERY == 0:
                            progress(count)
                    root.clear()
    except ET.ParseError as error:
        line, column = error.position
        raise OnisepImportError(
            f"XML mal formé ou incomplet (ligne {line}, colonne {column}).",
            file=label,
            record=record_label(),
            element=stack[-1] if stack else "",
        ) from error
    except (zipfile.BadZipFile, zlib.error, EOFError) as error:
        raise OnisepImportError(
            "archive ZIP corrompue ou incomplète.",
            file=label,
            record=record_label(),
            element=stack[-1] if stack else "",
        ) from error
    except OSError as error:
        raise OnisepImportError(f"fichier illisible ({error.strerror or error}).", file=label) from error
    if progress is not None:
        progress(count)
    return records, inner_name
