"""HTTP helpers of the documents tests: uploads through the API and the pages."""

from documents import samples
from promcluster.web.deps import CSRF_HEADER

META = {"kind": "accession_agreement", "title": "Соглашение о вступлении", "number": "12"}


def upload(
    http,
    cluster_id: int,
    data: dict | None = None,
    payload: bytes | None = None,
    filename: str = "соглашение.pdf",
    media: str = "application/pdf",
):
    """``POST /api/v1/clusters/{id}/documents`` (multipart)."""
    content = samples.pdf() if payload is None else payload
    return http.post(
        f"/api/v1/clusters/{cluster_id}/documents",
        data={**META, **(data or {})},
        files={"file": (filename, content, media)},
    )


def page_post(http, path: str, data: dict | None = None, files: dict | None = None):
    """A page's form posted with the session's CSRF token (as the form carries it)."""
    token = http.headers.get(CSRF_HEADER, "")
    return http.post(
        path, data={"csrf_token": token, **(data or {})}, files=files, follow_redirects=False
    )
