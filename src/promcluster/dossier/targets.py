"""The development programme's targets of a cluster: one value per indicator of the yearly
report and year, and the explanation of that year's deviation. Set or cleared one at a time
with optimistic locking, or imported from a workbook all or nothing."""

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from promcluster import labels, numbers, records
from promcluster.auth import permissions
from promcluster.auth.models import User
from promcluster.dossier.models import ProgrammeTarget
from promcluster.errors import Conflict, FieldChecks, InvalidField
from promcluster.imports.limits import ImportLimits
from promcluster.imports.readers import UnusableFile, open_table
from promcluster.indicators.service import UNITS
from promcluster.registry.models import Cluster

# The indicators of the yearly report, in its order (keys of ``labels.INDICATORS``). The
# platform has no output figure (``EnterpriseFigure`` holds headcount, revenue and expenses),
# so output is not among them (docs/DOSSIER.md).
REPORT_INDICATORS = (
    "members",
    "applicants",
    "potential",
    "employees",
    "revenue",
    "projects",
    "project_amount",
    "investment_planned",
    "investment_in_progress",
    "investment_done",
    "cooperation_share",
    "import_share",
)
FIRST_YEAR, LAST_YEAR = 2000, 2050
MAX_EXPLANATION = 4000
FIELDS = {
    "indicator": "показатель",
    "year": "год",
    "target": "целевое значение",
    "explanation": "пояснение",
}


def indicator_label(key: str) -> str:
    """The name of an indicator of the report as its rows show it («Участники»)."""
    return labels.INDICATOR_NAMES.get(key) or labels.INDICATORS.get(key, key)


def _folded(text: str) -> str:
    return " ".join(text.lower().replace("ё", "е").split())


_BY_NAME = {
    _folded(name): key
    for key in REPORT_INDICATORS
    for name in (key, indicator_label(key), labels.INDICATORS.get(key, key))
}


def indicator_key(text: str) -> str:
    """The indicator named by its key or its Russian name, or InvalidField naming it."""
    key = _BY_NAME.get(_folded(text))
    if key is None:
        raise InvalidField("indicator", f"нет такого показателя «{text.strip()}»")
    return key


def read_year(value: object) -> int:
    """A year of the programme: a whole number from FIRST_YEAR to LAST_YEAR."""
    text = str(value).strip().removesuffix("г.").strip() if value is not None else ""
    if isinstance(value, float) and value.is_integer():
        text = str(int(value))
    if not text.isdigit():
        raise InvalidField("year", f"«{value}» не год: укажите год четырьмя цифрами")
    year = int(text)
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise InvalidField("year", f"год {year} вне диапазона {FIRST_YEAR}–{LAST_YEAR}")
    return year


def read_target(value: object, indicator: str) -> float | None:
    """A target as typed in Russian («1 200,5»); shares in percent («25» or «25 %» → 0.25)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    share = UNITS[indicator] == "share"
    if isinstance(value, int | float) and not isinstance(value, bool):
        number = float(value)
    else:
        try:
            number = numbers.parse(str(value).strip().removesuffix("%").strip())
        except ValueError as exc:
            raise InvalidField("target", str(exc)) from None
    if number < 0:
        raise InvalidField("target", "не может быть отрицательным")
    if share and number > 100:
        raise InvalidField("target", "доля указывается в процентах: от 0 до 100")
    return number / 100 if share else number


def read_explanation(value: object) -> str | None:
    text = str(value).strip() if value is not None else ""
    if len(text) > MAX_EXPLANATION:
        raise InvalidField("explanation", f"не длиннее {MAX_EXPLANATION} символов")
    return text or None


def targets_of(session: Session, cluster_id: int) -> list[ProgrammeTarget]:
    """Every target of the cluster, by indicator then year."""
    records.get(session, Cluster, cluster_id)
    found = session.scalars(
        select(ProgrammeTarget).where(ProgrammeTarget.cluster_id == cluster_id)
    ).all()
    order = {k: i for i, k in enumerate(REPORT_INDICATORS)}
    return sorted(found, key=lambda t: (order.get(t.indicator, len(order)), t.year))


def _target(session: Session, cluster_id: int, indicator: str, year: int):
    return session.scalar(
        select(ProgrammeTarget).where(
            ProgrammeTarget.cluster_id == cluster_id,
            ProgrammeTarget.indicator == indicator,
            ProgrammeTarget.year == year,
        )
    )


def set_target(
    session: Session,
    user: User | None,
    cluster_id: int,
    indicator: str,
    year: object,
    target: object,
    explanation: object,
    version: int | None = None,
) -> ProgrammeTarget | None:
    """Set the target and explanation of ``indicator`` in ``year`` (both empty: clear the row,
    returning None). ``version`` is the row's version read: 0 when none was read, None to skip
    the check (the system); a stale one raises ``Conflict``."""
    records.get(session, Cluster, cluster_id)
    permissions.require_cluster(user, cluster_id)
    checks = FieldChecks()
    key = checks.check(indicator_key, str(indicator or ""))
    year_ = checks.check(read_year, year)
    value = checks.check(read_target, target, key) if key else None
    text = checks.check(read_explanation, explanation)
    checks.done()
    row = _target(session, cluster_id, key, year_)
    if row is None and version:
        raise Conflict("целевой показатель удалён другим пользователем; обновите страницу")
    if row is not None and version == 0:
        raise Conflict("целевой показатель уже задан другим пользователем; обновите страницу")
    if row is not None:
        records.check_version(row, {"version": version})
    if value is None and text is None:
        if row is not None:
            session.delete(row)
            records.flush(session)
        return None
    if row is None:
        row = ProgrammeTarget(cluster_id=cluster_id, indicator=key, year=year_)
        session.add(row)
    row.target, row.explanation = value, text
    records.flush(session)
    return row


@dataclass(frozen=True)
class TargetRow:
    """One row of an imported workbook, read and checked."""

    line: int
    indicator: str
    year: int
    target: float | None
    explanation: str | None


def import_targets(session: Session, user: User | None, cluster_id: int, path: Path) -> int:
    """Every row of the workbook (or CSV) at ``path`` set as the cluster's targets, or nothing:
    any refused row raises InvalidField naming each refused row and field. Returns the rows set."""
    records.get(session, Cluster, cluster_id)
    permissions.require_cluster(user, cluster_id)
    rows = read_rows(path)
    for row in rows:
        found = _target(session, cluster_id, row.indicator, row.year)
        if found is None:
            found = ProgrammeTarget(cluster_id=cluster_id, indicator=row.indicator, year=row.year)
            session.add(found)
        found.target, found.explanation = row.target, row.explanation
    records.flush(session)
    return len(rows)


HEADERS = {  # column → the titles a workbook may give it (folded; the text before «(» counts)
    "indicator": ("показатель", "indicator"),
    "year": ("год", "year"),
    "target": ("целевое значение", "цель", "target"),
    "explanation": ("пояснение", "пояснение отклонения", "explanation"),
}
MAX_REFUSALS = 50


def _columns(cells: list) -> dict[str, int]:
    """Column of each field from the header row; InvalidField when one is missing."""
    titles = [_folded(str(c).split("(")[0]) if c is not None else "" for c in cells]
    found = {}
    for field, names in HEADERS.items():
        where = [i for i, t in enumerate(titles) if t in names]
        if where:
            found[field] = where[0]
    missing = [f"«{FIELDS[f]}»" for f in ("indicator", "year") if f not in found]
    if missing or ("target" not in found and "explanation" not in found):
        wanted = "«показатель», «год», «целевое значение», «пояснение»"
        raise InvalidField("file", f"строка заголовков должна называть столбцы {wanted}")
    return found


def _row(line: int, cells: list, columns: dict[str, int]) -> TargetRow:
    def cell(field: str) -> object:
        i = columns.get(field)
        return cells[i] if i is not None and i < len(cells) else None

    checks = FieldChecks()
    key = checks.check(indicator_key, str(cell("indicator") or ""))
    year = checks.check(read_year, cell("year"))
    value = checks.check(read_target, cell("target"), key) if key else None
    text = checks.check(read_explanation, cell("explanation"))
    if not checks.refused and value is None and text is None:
        checks.refused["target"] = "укажите целевое значение или пояснение"
    checks.done()
    return TargetRow(line, key, year, value, text)  # type: ignore[arg-type]


def read_rows(path: Path) -> list[TargetRow]:
    """The rows of a targets workbook, or InvalidField naming every refused row and field
    («строка 4, поле «показатель»: нет такого показателя «выручка2»»), duplicates included."""
    try:
        table = open_table(path, limits=ImportLimits.of())
    except UnusableFile as exc:
        raise InvalidField("file", str(exc)) from None
    refused: dict[str, str] = {}
    rows: list[TargetRow] = []
    seen: dict[tuple[str, int], int] = {}
    try:
        columns = None
        for line, cells in table.rows:
            if columns is None:
                columns = _columns(cells)
                continue
            try:
                row = _row(line, cells, columns)
            except InvalidField as exc:
                for field, message in exc.fields.items():
                    refused[f"строка {line}, поле «{FIELDS[field]}»"] = message
                continue
            first = seen.setdefault((row.indicator, row.year), line)
            if first != line:
                refused[f"строка {line}"] = (
                    f"повторяет строку {first}: показатель «{indicator_label(row.indicator)}», "
                    f"{row.year} год"
                )
            rows.append(row)
    except UnusableFile as exc:
        raise InvalidField("file", str(exc)) from None
    finally:
        table.close()
    if columns is None:
        raise InvalidField("file", "в файле нет строк")
    if refused:
        (field, message), *others = list(refused.items())[:MAX_REFUSALS]
        raise InvalidField(field, message, dict(others))
    if not rows:
        raise InvalidField("file", "в файле нет строк с целевыми значениями")
    return rows
