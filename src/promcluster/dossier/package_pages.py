"""The application package's page: what is missing, a preview of every section, the form that
generates a package as of a date, and the kept versions with their downloads. Administrators
and the cluster's managers only (the package holds non-public documents); anonymous visitors
are sent to the login form."""

from datetime import date
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import FileResponse, RedirectResponse
from sqlalchemy.orm import Session

from promcluster.auth.models import User
from promcluster.dossier import packages
from promcluster.dossier.package_files import cooperation_sentence, document_path
from promcluster.errors import InvalidField
from promcluster.web.deps import check_form_csrf, db_session, login_required
from promcluster.web.forms import render
from promcluster.web.limits import Id

router = APIRouter(include_in_schema=False)
ZIP = "application/zip"


def read_date(text: str | None, field: str = "as_of") -> date:
    """A date typed as ГГГГ-ММ-ДД (today when empty)."""
    if not text or not text.strip():
        return date.today()
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise InvalidField(field, "дата в виде ГГГГ-ММ-ДД") from None


@router.get("/clusters/{cluster_id}/application")
def application_page(
    request: Request,
    cluster_id: Id,
    as_of: str | None = None,
    error: str | None = None,
    made: int | None = None,
    session: Session = db_session,
    user: User = Depends(login_required),
):
    try:
        day = read_date(as_of)
        package = packages.preview(session, user, cluster_id, day)
    except InvalidField as exc:
        day, error = date.today(), f"Дата пакета: {exc.message}"
        package = packages.preview(session, user, cluster_id, day)
    return render(
        request,
        "dossier/application.html",
        user,
        p=package,
        versions=packages.versions(session, user, cluster_id),
        cooperation=cooperation_sentence(package),
        document_path=document_path,
        error=error,
        made=made,
        today=date.today(),
    )


@router.post("/clusters/{cluster_id}/application", dependencies=[Depends(check_form_csrf)])
async def generate_form(
    request: Request,
    cluster_id: Id,
    session: Session = db_session,
    user: User = Depends(login_required),
):
    form = await request.form()
    typed = str(form.get("as_of") or "")
    try:
        row, _ = packages.generate(session, user, cluster_id, read_date(typed))
    except InvalidField as exc:
        query = urlencode({"error": f"Дата пакета: {exc.message}"})
        return RedirectResponse(f"/clusters/{cluster_id}/application?{query}", status_code=303)
    query = urlencode({"made": row.number, "as_of": row.as_of.isoformat()})
    return RedirectResponse(f"/clusters/{cluster_id}/application?{query}#versions", status_code=303)


@router.get("/clusters/{cluster_id}/application/{number}.zip")
def download(
    cluster_id: Id,
    number: Id,
    session: Session = db_session,
    user: User = Depends(login_required),
) -> FileResponse:
    path = packages.kept_file(session, user, cluster_id, number)
    return FileResponse(
        path,
        media_type=ZIP,
        filename=f"application-{cluster_id}-{number}.zip",
        headers={"X-Content-Type-Options": "nosniff"},
    )
