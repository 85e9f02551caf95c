"""The backup file: a gzip-compressed tar archive whose first member is ``manifest.json``
(format, database kind, schema revision, time, package version, rows per table, checksum of
every other member), followed by the database dump, the kept uploads and the files of the file
store the database refers to.

Reading never trusts the archive's own paths: only the members the manifest names are written,
under names chosen here, and each is checked against its SHA-256, so a truncated or altered
file is refused before anything is restored."""

import hashlib
import io
import json
import os
import tarfile
import tempfile
import time
import zlib
from dataclasses import asdict, dataclass, field
from pathlib import Path

from promcluster.errors import DomainError

FORMAT = "promcluster-backup"
FORMAT_VERSION = 2  # 2: the files of the store (``files``); version 1 backups are read too
MANIFEST = "manifest.json"
MANIFEST_MAX_BYTES = 10 * 1024 * 1024
CHUNK = 1 << 20


class BackupError(DomainError):
    """A backup that cannot be made or a file that cannot be restored, with the reason."""


@dataclass
class Upload:
    """An uploaded file kept on disk for an import run, and its member in the archive."""

    run_id: int
    path: str
    member: str


@dataclass
class Manifest:
    """What a backup holds; written first in the archive and checked before a restore."""

    database: str  # "sqlite" or "postgresql"
    schema_revision: str | None
    created_at: str  # ISO 8601, UTC
    package_version: str
    database_member: str
    tables: dict[str, int] = field(default_factory=dict)
    uploads: list[Upload] = field(default_factory=list)
    files: list[str] = field(default_factory=list)  # SHA-256 of the store's files inside
    checksums: dict[str, str] = field(default_factory=dict)  # member → SHA-256
    format: str = FORMAT
    format_version: int = FORMAT_VERSION

    def to_json(self) -> bytes:
        return json.dumps(asdict(self), ensure_ascii=False, indent=2).encode("utf-8")

    @classmethod
    def from_json(cls, raw: bytes) -> "Manifest":
        data = json.loads(raw)
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise ValueError("not a manifest")
        uploads = [Upload(**u) for u in data.pop("uploads", [])]
        return cls(**data, uploads=uploads)


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def write_archive(
    file: Path,
    manifest: Manifest,
    members: dict[str, Path],
    expected: dict[str, str] | None = None,
) -> None:
    """Write ``manifest`` and ``members`` (archive name → file) to ``file``, readable by its
    owner only; ``file`` appears complete or not at all (written aside, then renamed).
    ``expected``: checksums some members must have (files named by their hash); a member whose
    content differs is refused before anything is written."""
    manifest.checksums = {name: sha256_of(path) for name, path in members.items()}
    wrong = sorted(m for m, sha in (expected or {}).items() if manifest.checksums.get(m) != sha)
    if wrong:
        raise BackupError(
            "содержимое файлов не совпадает с их контрольной суммой (файлы изменены или "
            f"повреждены), — всего {len(wrong)}: "
            f"{', '.join(str(members[m]) for m in wrong[:5])}; резервная копия не записана"
        )
    file = file.resolve()
    file.parent.mkdir(parents=True, exist_ok=True)
    handle, partial = tempfile.mkstemp(dir=file.parent, prefix=f".{file.name}.", suffix=".part")
    os.close(handle)
    try:
        with tarfile.open(partial, "w:gz", compresslevel=6) as tar:
            raw = manifest.to_json()
            info = tarfile.TarInfo(MANIFEST)
            info.size, info.mode, info.mtime = len(raw), 0o600, int(time.time())
            tar.addfile(info, io.BytesIO(raw))
            for name, path in members.items():
                tar.add(path, arcname=name, recursive=False, filter=_private)
        os.chmod(partial, 0o600)
        os.replace(partial, file)
    except BaseException:
        Path(partial).unlink(missing_ok=True)
        raise


def _private(info: tarfile.TarInfo) -> tarfile.TarInfo:
    info.mode, info.uid, info.gid, info.uname, info.gname = 0o600, 0, 0, "", ""
    return info


NOT_A_BACKUP = "файл {file} не резервная копия promcluster (нет описания {manifest})"
DAMAGED = "резервная копия {file} повреждена или обрезана ({why}); ничего не восстановлено"


def read_manifest(file: Path) -> Manifest:
    """The manifest of the backup ``file``; ``BackupError`` for anything else."""
    if not file.is_file():
        raise BackupError(f"нет файла {file}")
    try:
        with tarfile.open(file, "r:*") as tar:
            first = tar.next()
            if first is None or first.name != MANIFEST or not first.isfile():
                raise BackupError(NOT_A_BACKUP.format(file=file, manifest=MANIFEST))
            if first.size > MANIFEST_MAX_BYTES:
                raise BackupError(NOT_A_BACKUP.format(file=file, manifest=MANIFEST))
            raw = tar.extractfile(first).read()
    except (tarfile.TarError, EOFError, OSError, zlib.error) as exc:
        if isinstance(exc, tarfile.ReadError) and not _starts_like_backup(file):
            raise BackupError(NOT_A_BACKUP.format(file=file, manifest=MANIFEST)) from exc
        raise BackupError(DAMAGED.format(file=file, why=exc)) from exc
    try:
        manifest = Manifest.from_json(raw)
    except (ValueError, TypeError) as exc:
        raise BackupError(NOT_A_BACKUP.format(file=file, manifest=MANIFEST)) from exc
    if manifest.format_version > FORMAT_VERSION:
        raise BackupError(
            f"резервная копия {file} записана более новой версией promcluster "
            f"(формат {manifest.format_version}, эта версия читает {FORMAT_VERSION}); "
            "обновите promcluster"
        )
    return manifest


def _starts_like_backup(file: Path) -> bool:
    """Whether ``file`` at least begins as a gzip stream (a cut backup does; a stranger not)."""
    with file.open("rb") as f:
        return f.read(2) == b"\x1f\x8b"


def extract(file: Path, manifest: Manifest, into: Path) -> dict[str, Path]:
    """Write every member the manifest names into the directory ``into`` under a name of our
    own, checking its SHA-256; returns member → written file. Unknown members are skipped."""
    wanted = manifest.checksums
    written: dict[str, Path] = {}
    try:
        with tarfile.open(file, "r:*") as tar:
            for member in tar:
                if member.name not in wanted or not member.isfile():
                    continue
                target = into / f"member-{len(written)}"
                digest = hashlib.sha256()
                with tar.extractfile(member) as source, target.open("wb") as out:
                    while chunk := source.read(CHUNK):
                        digest.update(chunk)
                        out.write(chunk)
                if digest.hexdigest() != wanted[member.name]:
                    raise BackupError(
                        DAMAGED.format(file=file, why=f"{member.name}: контрольная сумма")
                    )
                written[member.name] = target
    except (tarfile.TarError, EOFError, OSError, zlib.error) as exc:
        raise BackupError(DAMAGED.format(file=file, why=exc)) from exc
    missing = sorted(set(wanted) - set(written))
    if missing:
        raise BackupError(DAMAGED.format(file=file, why=f"нет {', '.join(missing)}"))
    return written
