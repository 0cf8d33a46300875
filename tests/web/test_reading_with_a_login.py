"""Downloads and dataset URIs are opened by people too: their web login counts there, as a token does."""

from __future__ import annotations

import io

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from datatorget.catalog import datasets, distributions
from datatorget.catalog.models import User
from datatorget.config import Settings
from tests.web.pages import Pages


def _draft_file(session: Session, settings: Settings, draft: str, editor: User) -> str:
    upload = distributions.Upload(io.BytesIO(b"plats;antal\nTorget;12\n"), "planer.csv")
    made = distributions.add_upload(
        session, draft, upload, editor, files_dir=settings.files_dir, max_bytes=settings.max_upload_bytes
    )
    session.commit()
    return f"/files/{made.id}/{made.file_name}"


def test_an_editor_logged_in_downloads_a_file_of_their_own_draft(
    pages: Pages, app_client: TestClient, session: Session, settings: Settings, draft: str, editor: User
) -> None:
    path = _draft_file(session, settings, draft, editor)
    assert app_client.get(path).status_code == 404
    pages.log_in(editor)
    response = app_client.get(path)
    assert (response.status_code, response.content) == (200, b"plats;antal\nTorget;12\n")


def test_the_uri_of_a_draft_leads_its_editor_to_the_page(
    pages: Pages, app_client: TestClient, session: Session, draft: str, editor: User
) -> None:
    uri = f"/datasets/{datasets.get_dataset(session, draft, editor).id}"
    assert app_client.get(uri, follow_redirects=False).status_code == 404
    pages.log_in(editor)
    response = app_client.get(uri, follow_redirects=False)
    assert (response.status_code, response.headers["location"]) == (303, f"/datamangder/{draft}")
