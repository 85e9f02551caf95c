"""OKPD2 suggestions from what the database knows: the classifier, coded names, corrections.

One classifier per database and process: built from the OKPD2 table (the classifier shipped in
the package when that table is empty, or when there is no database at all: then nothing is
learnt), then taught every product name users have coded (product lines, needs, offers) and
every correction that counts for everyone; rows added later are learnt on the next call (the
newest ids are remembered).

A correction counts for everyone when the system, an administrator or a cluster manager made
it, or when ``CONFIRMING_USERS`` distinct users gave the same code for the same name; until
then an enterprise representative's correction counts only in their own suggestions (at once),
so that one account cannot move everyone's suggestion (docs/PERMISSIONS.md)."""

import copy
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from promcluster import artefacts
from promcluster.auth.models import AuditLog, User
from promcluster.errors import InvalidField
from promcluster.imports.readers import UnusableFile, open_table
from promcluster.matching.classifier import Classifier, Entry, Suggestion, name_key
from promcluster.matching.models import Correction, Need, Offer
from promcluster.matching.text import word_lists
from promcluster.reference.models import Okpd
from promcluster.reference.service import normalise_code, require_okpd, shipped_okpd2
from promcluster.registry.models import Enterprise, ProductLine

TOP = 5
MAX_TOP = 20
MAX_NAMES = 1000  # names in one request of the web form or the API
CONFIRMING_USERS = 2  # distinct users whose same correction counts for everyone
TRUSTED_ROLES = frozenset({"admin", "cluster_manager"})  # whose corrections count at once

_NAMED = (
    (ProductLine, ProductLine.name),
    (Need, Need.product_name),
    (Offer, Offer.product_name),
)
CORRECTIONS = Correction.__tablename__


@dataclass
class _Learnt:
    classifier: Classifier
    last_ids: dict[str, int] = field(default_factory=dict)


TABLES = (*(model.__tablename__ for model, _ in _NAMED), CORRECTIONS)
_by_database: dict[str, _Learnt] = {}
_lock = threading.Lock()  # one build per database, whichever thread asks first


def _key(session: Session) -> str:
    return session.get_bind().url.render_as_string(hide_password=False)


NO_DATABASE = ""  # the key of the classifier used without a database


def classifier_for(session: Session | None) -> Classifier:
    """This database's classifier, taught everything coded since it last looked; with no
    database (``None``), the shipped classifier's own."""
    key = NO_DATABASE if session is None else _key(session)
    with _lock:
        if key not in _by_database:
            _by_database[key] = _Learnt(_fitted(session))
        learnt = _by_database[key]
        if session is not None:
            _learn_new(session, learnt)
    return learnt.classifier


def _fitted(session: Session | None) -> Classifier:
    """The classifier of the OKPD2 table (of the shipped file when the table is empty or there
    is no database), before it learns any coded name (seconds; kept on disk for the next
    worker: artefacts)."""
    query = select(Okpd.code, Okpd.name, Okpd.parent_code, Okpd.level).order_by(Okpd.code)
    entries = [] if session is None else [Entry(*r) for r in session.execute(query)]
    if not entries:
        return copy.deepcopy(_shipped())  # each database teaches its own copy
    return _fit(entries)


def _fit(entries: list[Entry]) -> Classifier:
    """Fitted on ``entries``; the word lists in ``matching/data`` are inputs too (a changed
    synonym or material refits)."""
    return artefacts.fitted(
        "okpd2-classifier",
        lambda: [repr(e) for e in entries] + word_lists(),
        lambda: Classifier(entries),
    )


@cache
def _shipped() -> Classifier:
    """The classifier of the OKPD2 shipped in the package, fitted once per process (never
    taught: callers get copies)."""
    rows = shipped_okpd2()
    return _fit(sorted((Entry(**r) for r in rows), key=lambda e: e.code))


def _learn_new(session: Session, learnt: _Learnt) -> None:
    """Unlearn the records changed or deleted since the last look (the audit log says which),
    then learn every record above each table's watermark (the changed ones were put back
    under it, and SQLite may reuse a deleted row's id)."""
    last_audit = learnt.last_ids.get(AuditLog.__tablename__, 0)
    changes = session.execute(
        select(AuditLog.id, AuditLog.action, AuditLog.entity, AuditLog.entity_id)
        .where(AuditLog.id > last_audit, AuditLog.action.in_(("update", "delete")))
        .where(AuditLog.entity.in_([*TABLES, Enterprise.__tablename__]))
        .order_by(AuditLog.id)
    ).all()
    if any(c.entity == Enterprise.__tablename__ for c in changes if c.action == "delete"):
        learnt.classifier.forget_learnt()  # its lines, needs and offers went by cascade
        learnt.last_ids.clear()
    for change in changes:
        if change.entity in TABLES and change.entity_id and change.entity_id.isdigit():
            record = int(change.entity_id)
            learnt.classifier.unlearn([(change.entity, record)])
            mark = learnt.last_ids.get(change.entity, 0)
            learnt.last_ids[change.entity] = min(mark, record - 1)
    newest = session.scalar(select(func.max(AuditLog.id)))
    learnt.last_ids[AuditLog.__tablename__] = max(last_audit, newest or 0)
    for model, name in _NAMED:
        table = model.__tablename__
        found = session.execute(
            select(model.id, name, model.okpd2_code)
            .where(model.id > learnt.last_ids.get(table, 0))
            .where(name.is_not(None), model.okpd2_code.is_not(None))
            .order_by(model.id)
        ).all()
        if found:
            learnt.classifier.learn(
                [(n, c) for _, n, c in found], [(table, i) for i, _, _ in found]
            )
            learnt.last_ids[table] = found[-1][0]
    _learn_corrections(session, learnt)


def _trusted(user_id: int | None, role: str | None) -> bool:
    return user_id is None or role in TRUSTED_ROLES


def _learn_corrections(session: Session, learnt: _Learnt) -> None:
    """Learn the corrections above the watermark that count for everyone (the others wait for a
    confirming correction, which is itself a new row and is learnt when it comes)."""
    mark = learnt.last_ids.get(CORRECTIONS, 0)
    rows = session.execute(
        select(Correction.id, Correction.name, Correction.okpd2_code, Correction.user_id, User.role)
        .outerjoin(User, User.id == Correction.user_id)
        .where(Correction.id > mark)
        .order_by(Correction.id)
    ).all()
    if not rows:
        return
    learnt.last_ids[CORRECTIONS] = rows[-1].id
    confirmed = _confirmed(session, [r for r in rows if not _trusted(r.user_id, r.role)])
    counted = [r for r in rows if _trusted(r.user_id, r.role) or r.id in confirmed]
    if counted:
        learnt.classifier.learn(
            [(r.name, r.okpd2_code) for r in counted], [(CORRECTIONS, r.id) for r in counted]
        )


def _confirmed(session: Session, rows: Sequence) -> set[int]:
    """The ids of ``rows`` whose code for that name ``CONFIRMING_USERS`` distinct users gave
    (in that correction or earlier ones)."""
    if not rows:
        return set()
    authors: dict[tuple[str, str], list[tuple[int, int]]] = {}
    earlier = session.execute(
        select(Correction.id, Correction.name, Correction.okpd2_code, Correction.user_id).where(
            Correction.okpd2_code.in_({r.okpd2_code for r in rows}),
            Correction.user_id.is_not(None),
            Correction.id <= rows[-1].id,
        )
    )
    for id_, name, code, user_id in earlier:
        authors.setdefault((name_key(name), code), []).append((id_, user_id))
    return {
        r.id
        for r in rows
        if len({u for i, u in authors.get((name_key(r.name), r.okpd2_code), []) if i <= r.id})
        >= CONFIRMING_USERS
    }


def own_corrections(session: Session | None, user: User | None) -> dict[str, str]:
    """A representative's own corrections, which their suggestions follow before anyone
    confirms them: name key → code (the latest for a name); none for trusted roles."""
    if session is None or user is None or user.role in TRUSTED_ROLES:
        return {}
    rows = session.execute(
        select(Correction.name, Correction.okpd2_code)
        .where(Correction.user_id == user.id)
        .order_by(Correction.id)
    )
    return {name_key(name): code for name, code in rows}


def forget() -> None:
    """Drop the classifiers (tests that rebuild a database under the same URL)."""
    _by_database.clear()


def suggest(
    session: Session | None, names: Sequence[str], top: int = TOP, user: User | None = None
) -> list[list[Suggestion]]:
    """The ``top`` likeliest OKPD2 codes for each name, as ``user`` sees them (their own
    corrections first); with no database (``None``), from the shipped classifier alone."""
    if not 1 <= top <= MAX_TOP:
        raise InvalidField("top", f"число подсказок должно быть от 1 до {MAX_TOP}")
    classifier = classifier_for(session)
    found = classifier.suggest(list(names), top)
    own = own_corrections(session, user)
    if not own:
        return found
    for i, name in enumerate(names):
        key = name_key(name or "")
        if key and (code := own.get(key)) in classifier.entries:
            first = classifier.suggestion(code, 1.0)
            found[i] = [first, *(s for s in found[i] if s.code != code)][:top]
    return found


def correct(
    session: Session, user: User | None, name: str, code: str, suggested: str | None = None
) -> Correction:
    """Record that ``name`` is ``code`` (the user's choice over ``suggested``)."""
    name = (name or "").strip()
    if not name:
        raise InvalidField("name", "укажите наименование продукции")
    okpd = require_okpd(session, normalise_code(code), "okpd2_code")
    correction = Correction(
        name=name[:500],
        okpd2_code=okpd.code,
        suggested_code=suggested,
        user_id=user.id if user else None,
    )
    session.add(correction)
    session.flush()
    return correction


def names_in_file(path: Path, column: str, sheet: str | None = None) -> Iterator[str]:
    """The cells of ``column`` (by header, case-insensitive) in a CSV or XLSX file, one per data
    row in order; an empty cell gives an empty name."""
    table = open_table(path, sheet)
    try:
        header = next(table.rows, None)
        if header is None:
            raise UnusableFile("в файле нет строк")
        titles = ["" if c is None else str(c).strip() for c in header[1]]
        wanted = column.strip().casefold()
        if wanted not in [t.casefold() for t in titles]:
            shown = ", ".join(t for t in titles if t) or "нет"
            raise UnusableFile(f"нет столбца «{column}»; столбцы файла: {shown}")
        index = [t.casefold() for t in titles].index(wanted)
        for _, cells in table.rows:
            value = cells[index] if index < len(cells) else None
            yield "" if value is None else str(value).strip()
    finally:
        table.close()


def code_hints(session: Session, names: Sequence[str], top: int = 3) -> list[str]:
    """For each name, a line suggesting the likeliest codes («возможно: 23.61.12 …»)."""
    if not names:
        return []
    return [
        "возможно: " + "; ".join(f"{s.code} «{s.name}»" for s in found) if found else ""
        for found in suggest(session, names, top)
    ]
