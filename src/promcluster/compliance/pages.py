"""Compliance pages: the summary on the cluster page, the full printable report with checklist
forms, its workbook, and the administrators' page of rule editions."""

import tempfile
from datetime import date
from pathlib import Path
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from promcluster import labels, records
from promcluster.auth.models import User
from promcluster.auth.permissions import allowed, require_admin, require_cluster
from promcluster.compliance import admin, exports, marks
from promcluster.compliance.models import Rule
from promcluster.compliance.rules import FEDERAL
from promcluster.compliance.service import check
from promcluster.documents.queries import options as document_options
from promcluster.errors import InvalidField
from promcluster.pickers.service import Picker, read_form, shown
from promcluster.russian import exact, long_date
from promcluster.web.deps import check_form_csrf, current_user, db_session, login_required
from promcluster.web.forms import render
from promcluster.web.templating import templates

router = APIRouter(include_in_schema=False)
RULE_SET_PICKERS = [Picker("region_code", "region", "Регион")]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _date(text: str, field: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise InvalidField(field, "дата в виде ГГГГ-ММ-ДД") from None


def _document_id(text: str) -> int | None:
    """The dossier document chosen in a checklist form (none when left empty)."""
    text = text.strip()
    if not text:
        return None
    if not text.isdigit() or len(text) > 9:
        raise InvalidField("document", "выберите документ из списка досье кластера")
    return int(text)


def _as_of(text: str | None) -> date:
    """The date of the check: today unless given."""
    return _date(text, "as_of") if text else date.today()


def rule_param(value: object) -> str:
    """A rule's parameter as read: «0,2», «5», «3 декабря 2021 г.», roles by their Russian names."""
    if isinstance(value, list):
        return ", ".join(labels.MEMBERSHIP_ROLES.get(v, v) for v in map(str, value))
    if isinstance(value, int | float) and not isinstance(value, bool):
        return exact(value)
    if isinstance(value, str) and len(value) == 10 and value[4] == "-":
        return long_date(value)
    return str(value)


templates.env.filters["rule_param"] = rule_param


@router.get("/clusters/{cluster_id}/compliance/summary")
def summary(
    request: Request,
    cluster_id: int,
    session: Session = db_session,
    user: User | None = Depends(current_user),
):
    report = check(session, cluster_id, date.today())
    return render(request, "compliance/summary.html", user, r=report)


@router.get("/clusters/{cluster_id}/compliance")
def report_page(
    request: Request,
    cluster_id: int,
    as_of: str | None = None,
    rule_set: str = FEDERAL,
    error: str | None = None,
    session: Session = db_session,
    user: User | None = Depends(current_user),
):
    report = check(session, cluster_id, _as_of(as_of), rule_set, for_public=user is None)
    can_mark = user is not None and allowed(require_cluster, user, cluster_id)
    return render(
        request,
        "compliance/report.html",
        user,
        r=report,
        rule_sets=admin.rule_sets(session),
        can_mark=can_mark,
        documents=document_options(session, cluster_id) if can_mark else [],
        error=error,
        query=urlencode({"as_of": report.as_of.isoformat(), "rule_set": rule_set}),
    )


@router.post("/clusters/{cluster_id}/compliance/marks", dependencies=[Depends(check_form_csrf)])
async def mark_form(
    request: Request,
    cluster_id: int,
    session: Session = db_session,
    user: User = Depends(login_required),
):
    form = await request.form()
    version = str(form.get("version") or "")
    back = {"as_of": form.get("as_of") or "", "rule_set": form.get("rule_set") or FEDERAL}
    try:
        document_id = _document_id(str(form.get("document_id") or ""))
        with session.begin_nested():
            marks.set_mark(
                session, user, cluster_id, str(form.get("rule", "")), str(form.get("item", "")),
                form.get("done") == "1", str(form.get("reference") or ""),
                str(form.get("note") or ""), int(version) if version.isdigit() else None,
                document_id,
            )  # fmt: skip
    except InvalidField as exc:
        back["error"] = f"{form.get('rule')}: {exc.message}"
    anchor = f"#rule-{form.get('rule')}"
    return RedirectResponse(
        f"/clusters/{cluster_id}/compliance?{urlencode(back)}{anchor}", status_code=303
    )


@router.get("/clusters/{cluster_id}/compliance.xlsx")
def report_xlsx(
    request: Request,
    cluster_id: int,
    as_of: str | None = None,
    rule_set: str = FEDERAL,
    session: Session = db_session,
    user: User | None = Depends(current_user),
) -> Response:
    report = check(session, cluster_id, _as_of(as_of), rule_set, for_public=user is None)
    name = f"compliance-{cluster_id}-{report.as_of.isoformat()}.xlsx"
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        exports.write_report(report, path, site=str(request.base_url))
        content = path.read_bytes()
    return Response(
        content, media_type=XLSX, headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )


@router.get("/compliance/rules")
def rules_page(
    request: Request,
    rule_set: str | None = None,
    error: str | None = None,
    session: Session = db_session,
    user: User | None = Depends(current_user),
):
    return render(
        request,
        "compliance/rules.html",
        user,
        rules=admin.list_rules(session, rule_set),
        rule_sets=admin.rule_sets(session),
        chosen=rule_set,
        can_edit=user is not None and allowed(require_admin, user),
        error=error,
        rule_set_pickers=RULE_SET_PICKERS,
        rule_set_picked=shown(session, RULE_SET_PICKERS, {}),
    )


def _back_to_rules(error: str | None = None, anchor: str = "") -> RedirectResponse:
    query = f"?{urlencode({'error': error})}" if error else ""
    return RedirectResponse(f"/compliance/rules{query}{anchor}", status_code=303)


@router.post("/compliance/rules/{rule_id}", dependencies=[Depends(check_form_csrf)])
async def rule_form(
    request: Request,
    rule_id: int,
    session: Session = db_session,
    user: User = Depends(login_required),
):
    form = await request.form()
    require_admin(user)
    rule = records.get(session, Rule, rule_id)
    texts = {k.removeprefix("param."): str(v) for k, v in form.items() if k.startswith("param.")}
    valid_to = str(form.get("valid_to") or "")
    try:
        with session.begin_nested():
            admin.update_rule(
                session,
                user,
                rule_id,
                {
                    "version": int(str(form.get("version") or 0)),
                    "params": admin.params_from_form(rule.code, texts),
                    "enabled": form.get("enabled") == "1",
                    "valid_to": _date(valid_to, "valid_to") if valid_to else None,
                },
            )
    except InvalidField as exc:
        return _back_to_rules(f"{rule.code} ({rule.rule_set}): {exc}", f"#rule-{rule_id}")
    return _back_to_rules(anchor=f"#rule-{rule_id}")


@router.post("/compliance/rules", dependencies=[Depends(check_form_csrf)])
async def edition_form(
    request: Request, session: Session = db_session, user: User = Depends(login_required)
):
    form = await request.form()
    try:
        with session.begin_nested():
            rule = admin.add_edition(
                session,
                user,
                {
                    "rule_set": str(form.get("rule_set") or FEDERAL),
                    "code": str(form.get("code") or ""),
                    "valid_from": _date(str(form.get("valid_from") or ""), "valid_from"),
                },
            )
    except InvalidField as exc:
        return _back_to_rules(str(exc))
    return _back_to_rules(anchor=f"#rule-{rule.id}")


@router.post("/compliance/rule-sets", dependencies=[Depends(check_form_csrf)])
async def rule_set_form(
    request: Request, session: Session = db_session, user: User = Depends(login_required)
):
    picked = read_form(session, await request.form(), RULE_SET_PICKERS)
    code = str(picked.form.get("region_code") or "").strip()
    try:
        if picked.errors:
            raise InvalidField("region_code", picked.errors["region_code"])
        with session.begin_nested():
            admin.copy_rule_set(session, user, code)
    except InvalidField as exc:
        return _back_to_rules(str(exc.message))
    return RedirectResponse(f"/compliance/rules?rule_set=region:{code}", status_code=303)
