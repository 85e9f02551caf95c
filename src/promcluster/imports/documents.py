"""Open data published as XML documents — elements under a root element (FNS data sets:
``Файл`` of ``Документ``; ЕИС 44-FZ: ``export`` of ``contract``; ЕИС 223-FZ: ``body/item``), or
a root that is itself the document — read from a ZIP of many files, a folder of files or one
file, as a stream.

A layout recognises each file by its root element (``Recognise``): its name and attributes,
then the names of the elements under it; what it does not know is refused, naming the file and
the root, never guessed.

Each file is parsed with ``iterparse`` and every document element is dropped once read, so no
file is ever held whole in memory; a layout of files holding a few documents each (ЕИС) may ask
for files up to ``WHOLE_MAX_BYTES`` to be parsed whole by the C parser instead (faster: no
Python event per element). The checked documents of one file are kept until the file has
been read to its end: a truncated or malformed file, a file of another data set or format
version, or a member of the archive that is not XML is refused as a whole (one report line
naming the file) and nothing of it is written; the other files are imported. When PATH is a
single file, such a refusal makes the whole import unusable (nothing written).
"""

import io
import re
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from itertools import count
from pathlib import Path
from typing import IO
from xml.etree.ElementTree import Element, ParseError, XMLPullParser, iterparse
from xml.etree.ElementTree import parse as parse_xml

from promcluster.imports.columns import Kind, Lookups
from promcluster.imports.limits import RATIO_FLOOR_BYTES, ImportLimits
from promcluster.imports.readers import UnusableFile
from promcluster.imports.rows import Header, Parsed, Reading

FILE_FIELD = "Файл"  # the report's field for a problem of a whole file
_XML_HEAD = (b"<", b"\xef\xbb\xbf<")
PROLOG_BYTES = 4096
# A file whose layout says it holds a few documents (``Recognised.whole``) and no bigger than
# this is parsed whole, without a Python event per element (ЕИС files: one document each).
WHOLE_MAX_BYTES = 32 * 1024 * 1024
# The first element's start tag: a DTD (the means of entity bombs and of reading outside
# files) can only come before it, so the prolog is checked and the fast C parser does the rest.
_FIRST_ELEMENT = re.compile(rb"<[^?!]")


@dataclass
class FileRefused(Exception):
    """A whole file cannot be used: the reason, and the field and value it concerns."""

    reason: str
    column: str = FILE_FIELD
    value: str | None = None


ParseDocument = Callable[[Element, Lookups, Parsed], None]


def local_name(tag: str) -> str:
    """An element's name without its namespace: ``{http://…}contract`` → ``contract``."""
    return tag.rsplit("}", 1)[-1]


@dataclass(frozen=True)
class Recognised:
    """What a file is, as told by its root element: how its documents are read (``parse``),
    where they are (``document``: the names, without namespace, of the elements from under the
    root down to each document — ``("Документ",)``, ``("body", "item")``; empty: the root itself
    is the file's one document), how many the file declares, what names a document in the report
    (``label``), and what refuses a file holding another element under its root (``unknown``;
    None: such elements are skipped)."""

    parse: ParseDocument
    document: tuple[str, ...] = ()
    declared: int | None = None
    label: Callable[[Element], str | None] = lambda _element: None
    unknown: Callable[[Element], FileRefused] | None = None
    whole: bool = False  # a file of a few documents: read whole by the C parser when small


# The root element at its start (name and attributes, no children yet) → what the file is;
# FileRefused for a file of another kind.
Recognise = Callable[[Element], Recognised]


@dataclass
class DocumentHeader(Header):
    """The header of a document kind: its fields, and whether PATH holds a whole data set (a
    ZIP or a folder) rather than one file of it — only a whole state of a register says which
    firms have left it."""

    complete: bool = False


@dataclass
class _Member:
    """One file to read: its name, packed size (progress), and how to open it."""

    name: str
    packed: int
    open: Callable[[], IO[bytes]]
    ratio: float = 1.0
    unpacked: int = 0


@dataclass
class _Progress:
    total: int
    done: int = 0
    current: "_Counting | None" = None
    current_share: int = 0

    def share(self) -> float:
        part = 0.0
        if self.current is not None and self.current.expected:
            part = min(self.current.read_bytes / self.current.expected, 1.0) * self.current_share
        return min((self.done + part) / max(self.total, 1), 1.0)


class _Counting(io.RawIOBase):
    """A readable stream that counts the bytes handed out (the share of a file parsed)."""

    def __init__(self, raw: IO[bytes], expected: int) -> None:
        self.raw, self.expected, self.read_bytes = raw, expected, 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # type: ignore[override]
        data = self.raw.read(len(buffer))
        buffer[: len(data)] = data
        self.read_bytes += len(data)
        return len(data)


def read_documents(
    path: Path,
    kind: Kind,
    recognise: Recognise,
    lookups: Lookups,
    limits: ImportLimits,
) -> Reading:
    """The documents of ``path`` (ZIP, folder or XML file) as checked rows, each named
    «file · label» (FNS: ИдДок); ``recognise`` tells from each file's root how its documents
    are read, and the parse it gives fills a document's values or refuses it."""
    members, complete, close = _members(path)
    progress = _Progress(sum(m.packed for m in members))
    titles = {c.field: c.header for c in kind.columns}
    header = DocumentHeader(0, {}, titles, [], complete=complete)
    numbers = count(1)

    def rows() -> Iterator[Parsed]:
        usable, refusals = 0, []
        for member in members:
            try:
                documents = _file(member, recognise, lookups, limits, numbers, progress)
            except FileRefused as refused:
                refusals.append((member.name, refused))
                if len(members) > 1:
                    row = Parsed(next(numbers), document=member.name)
                    row.refuse(refused.column, refused.value, refused.reason)
                    yield row
                continue
            finally:
                progress.done += member.packed
                progress.current = None
            usable += 1
            yield from documents
        if not usable and refusals:
            name, refused = refusals[0]
            raise UnusableFile(f"«{name}»: {refused.reason}")
        if not members:
            raise UnusableFile(f"в «{path.name}» нет файлов XML")

    return Reading(header, rows(), progress.share, close)


def _members(path: Path) -> tuple[list[_Member], bool, Callable[[], None]]:
    """The files of ``path``, whether they make a whole data set, and how to close them."""
    if path.is_dir():
        files = sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() == ".xml")
        members = [_Member(str(p.relative_to(path)), p.stat().st_size, _opener(p)) for p in files]
        return members, True, lambda: None
    try:
        with path.open("rb") as f:
            head = f.read(8)
    except OSError as exc:
        raise UnusableFile(f"не удалось открыть файл: {exc.strerror}") from exc
    if not head.strip():
        raise UnusableFile("файл пуст")
    if head.startswith(b"PK\x03\x04"):
        return _archive(path)
    if not head.lstrip().startswith(_XML_HEAD):
        raise UnusableFile("это не файл XML и не архив ZIP с файлами XML")
    return [_Member(path.name, path.stat().st_size, _opener(path))], False, lambda: None


def _opener(path: Path) -> Callable[[], IO[bytes]]:
    return lambda: path.open("rb")


def _archive(path: Path) -> tuple[list[_Member], bool, Callable[[], None]]:
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise UnusableFile("архив ZIP повреждён или обрезан (не открывается)") from exc
    members = [
        _Member(
            info.filename,
            info.compress_size,
            lambda info=info: archive.open(info),
            info.file_size / max(info.compress_size, 1),
            info.file_size,
        )
        for info in archive.infolist()
        if not info.is_dir()
    ]
    return members, True, archive.close


def _file(
    member: _Member,
    recognise: Recognise,
    lookups: Lookups,
    limits: ImportLimits,
    numbers: Iterator[int],
    progress: _Progress,
) -> list[Parsed]:
    """The checked documents of one file, read to its end; FileRefused if it cannot be used."""
    if member.unpacked > RATIO_FLOOR_BYTES and member.ratio > limits.max_compression_ratio:
        raise FileRefused(
            f"файл сжат в {member.ratio:.0f} раз, допускается не больше чем в "
            f"{limits.max_compression_ratio}: похоже на архивную бомбу"
        )
    try:
        raw = member.open()
    except (zipfile.BadZipFile, OSError, RuntimeError) as exc:
        raise FileRefused(f"файл не открывается: {exc}") from exc
    stream = _Counting(raw, member.unpacked or member.packed)
    progress.current, progress.current_share = stream, member.packed
    try:
        head = raw.peek(PROLOG_BYTES)[:PROLOG_BYTES]  # type: ignore[attr-defined]
        _check_prolog(head)
        found = _Found(member.name, lookups, limits, numbers)
        size = member.unpacked or member.packed
        recognised = recognise(root) if (root := _root_of(head)) is not None else None
        if recognised is not None and recognised.whole and size <= WHOLE_MAX_BYTES:
            return found.whole(io.BufferedReader(stream), recognised)
        return found.streamed(io.BufferedReader(stream), recognise)
    except ParseError as exc:
        line, column = exc.position
        raise FileRefused(
            f"XML повреждён или обрезан (строка {line}, позиция {column}): ни один документ "
            "этого файла не загружен"
        ) from exc
    except (zipfile.BadZipFile, EOFError, OSError) as exc:
        raise FileRefused(f"файл в архиве повреждён: {exc}") from exc
    finally:
        raw.close()


class _Found:
    """The documents of one file, checked as they are read."""

    def __init__(
        self, name: str, lookups: Lookups, limits: ImportLimits, numbers: Iterator[int]
    ) -> None:
        self.name, self.lookups, self.limits, self.numbers = name, lookups, limits, numbers
        self.documents: list[Parsed] = []

    def read(self, element: Element, recognised: Recognised) -> None:
        number = next(self.numbers)
        if number > self.limits.max_rows:
            raise UnusableFile(
                f"в данных больше {self.limits.max_rows:,} документов: столько за один раз не "
                "загрузить (предел PROMCLUSTER_IMPORT_MAX_ROWS)".replace(",", " ")
            )
        label = recognised.label(element) or f"документ №{len(self.documents) + 1}"
        row = Parsed(number, document=f"{self.name} · {label}")
        recognised.parse(element, self.lookups, row)
        self.documents.append(row)

    def whole(self, stream: IO[bytes], recognised: Recognised) -> list[Parsed]:
        """A small file read whole by the C parser (no event per element)."""
        root = parse_xml(stream).getroot()
        found = [root]
        for depth, name in enumerate(recognised.document):
            below = [child for element in found for child in element]
            other = next((e for e in below if local_name(e.tag) != name), None)
            if depth == 0 and recognised.unknown is not None and other is not None:
                raise recognised.unknown(other)
            found = [e for e in below if local_name(e.tag) == name]
        for element in found:
            self.read(element, recognised)
        return self.checked(recognised)

    def streamed(self, stream: IO[bytes], recognise: Recognise) -> list[Parsed]:
        """A file read as a stream, each document dropped from its parent once read."""
        root: Element | None = None
        recognised: Recognised | None = None
        names: list[str] = []  # of the elements from under the root down to the current one
        parents: list[Element] = []  # the root and the open elements below it
        for event, element in iterparse(stream, events=("start", "end")):
            if event == "start":
                if root is None:
                    root, recognised = element, recognise(element)
                else:
                    names.append(local_name(element.tag))
                    if len(names) == 1 and recognised.unknown and names[0] != _first(recognised):
                        raise recognised.unknown(element)
                parents.append(element)
                continue
            parents.pop()
            if element is root:
                if not recognised.document:
                    self.read(root, recognised)
                continue
            if tuple(names) == recognised.document:
                self.read(element, recognised)
                parents[-1].clear()  # the documents read so far: never the whole file in memory
            names.pop()
        if root is None:
            raise FileRefused("файл пуст")
        return self.checked(recognised)

    def checked(self, recognised: Recognised) -> list[Parsed]:
        declared = recognised.declared
        if declared is not None and declared != len(self.documents):
            raise FileRefused(
                f"в заголовке КолДок={declared}, а документов {len(self.documents)}: файл неполон",
                "КолДок",
                str(declared),
            )
        return self.documents


def _root_of(head: bytes) -> Element | None:
    """The root element as its start tag gives it (name, attributes), read from the file's
    first bytes; None when the start tag does not end within them."""
    parser = XMLPullParser(events=("start",))
    try:
        parser.feed(head)
        return next((element for _event, element in parser.read_events()), None)
    except ParseError:
        return None


def _first(recognised: Recognised) -> str | None:
    return recognised.document[0] if recognised.document else None


def _check_prolog(head: bytes) -> None:
    """Refuse what is not XML, and XML declaring a DTD (entities) before its first element."""
    if not head.lstrip().startswith(_XML_HEAD):
        raise FileRefused("это не файл XML")
    first = _FIRST_ELEMENT.search(head)
    if first is None:
        raise FileRefused(f"в первых {PROLOG_BYTES} байтах нет корневого элемента")
    if b"<!DOCTYPE" in head[: first.start()].upper():
        raise FileRefused("файл объявляет DTD или сущности XML: такие файлы не принимаются")
