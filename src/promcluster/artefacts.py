"""Fitted models kept on disk, so that each worker process loads what the first one fitted.

An artefact is named by what it is and a fingerprint of everything it was made from: its inputs
(reference tables, data files), the platform's source and the versions of the libraries and of
Python that pickled it. A changed input is a new file; the first process to need it fits it
while holding a lock on the artefact's name (the others wait, then load), writes it to a
temporary file and renames it into place, so a reader never sees half a file. Older versions of
the same artefact are removed. The directory must be writable only by the platform's own user:
loading a pickle runs what it says (docs/OPERATIONS.md, "Workers").

Off until ``use`` names a directory (``serve`` does, from ``PROMCLUSTER_CACHE_DIR``): commands
and tests fit in memory as before."""

import fcntl
import hashlib
import logging
import os
import pickle
import sys
import tempfile
from collections.abc import Callable, Iterable
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")
LIBRARIES = ("numpy", "scipy", "scikit-learn", "pymorphy3", "pymorphy3-dicts-ru", "polars")
PACKAGE = Path(__file__).parent
log = logging.getLogger(__name__)

_directory: Path | None = None


def use(directory: Path | None) -> None:
    """Keep artefacts in ``directory`` (created when missing); ``None`` keeps none."""
    global _directory
    if directory is not None:
        directory.mkdir(parents=True, exist_ok=True)
    _directory = directory


def directory() -> Path | None:
    return _directory


@cache
def _code() -> bytes:
    """The platform's source, the libraries' versions and Python's: a change to any of them
    may change what a fit gives or what a pickle holds."""
    digest = hashlib.sha256(f"{sys.version_info[:2]}".encode())
    for name in LIBRARIES:
        try:
            digest.update(f"{name}={metadata.version(name)};".encode())
        except metadata.PackageNotFoundError:
            digest.update(f"{name}=none;".encode())
    for path in sorted(PACKAGE.rglob("*.py")):
        digest.update(path.relative_to(PACKAGE).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.digest()


def fingerprint(parts: Iterable[bytes | str]) -> str:
    """The hash of ``parts`` (the artefact's inputs) together with the platform's code."""
    digest = hashlib.sha256(_code())
    for part in parts:
        data = part.encode() if isinstance(part, str) else part
        digest.update(len(data).to_bytes(8, "little"))
        digest.update(data)
    return digest.hexdigest()[:20]


def fitted(name: str, inputs: Callable[[], Iterable[bytes | str]], fit: Callable[[], T]) -> T:
    """``fit()``, or what an earlier process saved for the same ``inputs`` (a callable: they
    are not read when no directory is in use)."""
    if _directory is None:
        return fit()
    path = _directory / f"{name}-{fingerprint(inputs())}.pickle"
    found = _load(path)
    if found is not None:
        return found[0]
    with open(_directory / f"{name}.lock", "a+b") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when closed
        found = _load(path)  # fitted by the process that held the lock before
        if found is not None:
            return found[0]
        value = fit()
        _save(path, value)
        for old in _directory.glob(f"{name}-*.pickle"):
            if old != path:
                old.unlink(missing_ok=True)
        return value


def _load(path: Path) -> tuple[object] | None:
    try:
        with open(path, "rb") as f:
            return (pickle.load(f),)
    except FileNotFoundError:
        return None
    except Exception:  # an unreadable file is fitted again and replaced
        log.warning("artefact %s unreadable, fitting it again", path, exc_info=True)
        return None


def _save(path: Path, value: object) -> None:
    """Written beside its place and renamed: atomic on one file system."""
    handle, temporary = tempfile.mkstemp(prefix=path.name, suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as f:
            pickle.dump(value, f, protocol=pickle.HIGHEST_PROTOCOL)
            f.flush()
            os.fsync(f.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
