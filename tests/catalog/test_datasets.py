"""Dataset services: slugs, dates, the change log, facet indexes and who may do what."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from datatorget.catalog import datasets
from datatorget.catalog.datasets import slug_from_title
from datatorget.catalog.models import DatasetKeyword, DatasetTheme
from datatorget.catalog.schemas import DatasetIn, DatasetPatch
from datatorget.errors import Conflict, NotAuthenticated, NotFound, PermissionDenied, ValidationFailed
from tests.catalog.factories import Catalog


def test_a_slug_is_made_from_the_swedish_title(catalog: Catalog) -> None:
    assert catalog.dataset("Återvinningsstationer i Sjövik").slug == "atervinningsstationer-i-sjovik"


def test_dashes_and_punctuation_in_a_title_separate_the_words_of_its_slug() -> None:
    assert slug_from_title("Utbetalningar 2020–2024 (kr/år)") == "utbetalningar-2020-2024-kr-ar"


def test_a_made_slug_that_is_taken_gets_a_number(catalog: Catalog) -> None:
    catalog.dataset("Badplatser")
    assert catalog.dataset("Badplatser").slug == "badplatser-2"


def test_a_given_slug_that_is_taken_is_a_conflict(catalog: Catalog) -> None:
    catalog.dataset("Badplatser", slug="bad")
    with pytest.raises(Conflict):
        catalog.dataset("Andra badplatser", slug="bad")


def test_a_draft_has_no_release_date_until_it_is_published(catalog: Catalog, session: Session) -> None:
    draft = catalog.dataset("Utkast", state="draft")
    assert draft.issued is None
    published = datasets.update_dataset(session, "utkast", DatasetPatch(state="published"), catalog.admin)
    assert published.issued == published.modified


def test_the_release_date_stays_when_a_published_dataset_changes(catalog: Catalog, session: Session) -> None:
    dataset = catalog.dataset("Badplatser")
    issued = dataset.issued
    datasets.update_dataset(session, "badplatser", DatasetPatch(keywords={"sv": ["bad"]}), catalog.admin)
    assert dataset.issued == issued and dataset.modified > dataset.created_at


def test_a_patch_changes_only_the_fields_given(catalog: Catalog, session: Session) -> None:
    catalog.dataset("Badplatser", title_en="Bathing sites", themes=["ENVI"], license="CC0")
    changed = datasets.update_dataset(session, "badplatser", DatasetPatch(license="CC_BY_4_0"), catalog.admin)
    assert (changed.title, changed.themes, changed.license) == (
        {"sv": "Badplatser", "en": "Bathing sites"},
        ["ENVI"],
        "CC_BY_4_0",
    )


def test_null_for_a_required_field_is_refused(catalog: Catalog, session: Session) -> None:
    catalog.dataset("Badplatser")
    with pytest.raises(ValidationFailed) as failure:
        datasets.update_dataset(session, "badplatser", DatasetPatch(title=None), catalog.admin)
    assert failure.value.errors == {"title": ["may not be null"]}


def test_the_change_log_records_who_changed_which_fields(catalog: Catalog, session: Session) -> None:
    catalog.dataset("Badplatser", license="CC0")
    datasets.update_dataset(session, "badplatser", DatasetPatch(license="CC_BY_4_0"), catalog.admin)
    session.commit()
    total, changes = datasets.history(session, "badplatser", catalog.admin)
    assert total == 2
    assert [(c.action, c.actor) for c in changes] == [
        ("update", "admin@example.org"),
        ("create", "admin@example.org"),
    ]
    assert changes[0].fields == {"license": ["CC0", "CC_BY_4_0"]}


def test_the_history_of_a_deleted_dataset_is_kept(catalog: Catalog, session: Session, tmp_path: Path) -> None:
    dataset_id = catalog.dataset("Badplatser").id
    datasets.delete_dataset(session, "badplatser", catalog.admin, files_dir=tmp_path)
    session.commit()
    total, changes = datasets.history(session, str(dataset_id), catalog.admin)
    assert (total, changes[0].action) == (2, "delete")


def test_only_admins_read_the_history(catalog: Catalog, session: Session) -> None:
    catalog.dataset("Badplatser")
    editor = catalog.editor("red@sjovik.example", "sjovik")
    with pytest.raises(PermissionDenied):
        datasets.history(session, "badplatser", editor)


def test_theme_and_keyword_indexes_follow_the_dataset(catalog: Catalog, session: Session) -> None:
    dataset = catalog.dataset("Badplatser", themes=["ENVI"], keywords={"sv": ["bad"], "en": ["bathing"]})
    datasets.update_dataset(
        session, "badplatser", DatasetPatch(themes=["SOCI"], keywords={"sv": ["strand"]}), catalog.admin
    )
    session.commit()
    themes = session.scalars(select(DatasetTheme.code).where(DatasetTheme.dataset_id == dataset.id)).all()
    words = session.scalars(
        select(DatasetKeyword.keyword).where(DatasetKeyword.dataset_id == dataset.id)
    ).all()
    assert (list(themes), list(words)) == (["SOCI"], ["strand"])


def test_a_dataset_is_found_by_slug_and_by_uuid(catalog: Catalog, session: Session) -> None:
    dataset = catalog.dataset("Badplatser")
    assert datasets.get_dataset(session, "badplatser", None) is datasets.get_dataset(
        session, str(dataset.id), None
    )


def test_a_draft_does_not_exist_for_anonymous_visitors(catalog: Catalog, session: Session) -> None:
    catalog.dataset("Utkast", state="draft")
    with pytest.raises(NotFound):
        datasets.get_dataset(session, "utkast", None)


def test_anonymous_visitors_cannot_create(catalog: Catalog, session: Session) -> None:
    data = DatasetIn.model_validate(
        {"title": {"sv": "X"}, "description": {"sv": "x"}, "organization": "sjovik"}
    )
    with pytest.raises(NotAuthenticated):
        datasets.create_dataset(session, data, None)


def test_an_editor_cannot_create_for_another_organisation(catalog: Catalog, session: Session) -> None:
    catalog.organization("sjovik-energi")
    editor = catalog.editor("red@sjovik.example", "sjovik")
    data = DatasetIn.model_validate(
        {"title": {"sv": "X"}, "description": {"sv": "x"}, "organization": "sjovik-energi"}
    )
    with pytest.raises(PermissionDenied):
        datasets.create_dataset(session, data, editor)


def test_an_editor_cannot_move_a_dataset_to_another_organisation(catalog: Catalog, session: Session) -> None:
    catalog.organization("sjovik-energi")
    catalog.dataset("Badplatser")
    editor = catalog.editor("red@sjovik.example", "sjovik")
    with pytest.raises(PermissionDenied):
        datasets.update_dataset(session, "badplatser", DatasetPatch(organization="sjovik-energi"), editor)


def test_an_unknown_organisation_is_a_field_error(catalog: Catalog, session: Session) -> None:
    data = DatasetIn.model_validate(
        {"title": {"sv": "X"}, "description": {"sv": "x"}, "organization": "okand"}
    )
    with pytest.raises(ValidationFailed) as failure:
        datasets.create_dataset(session, data, catalog.admin)
    assert failure.value.errors == {"organization": ["no organisation 'okand'"]}


def test_a_patch_may_give_only_the_start_of_the_time_period(catalog: Catalog, session: Session) -> None:
    catalog.dataset("Badplatser", temporal={"start": "2020-01-01", "end": "2024-12-31"})
    patch = DatasetPatch.model_validate({"temporal": {"start": "2021-01-01"}})
    dataset = datasets.update_dataset(session, "badplatser", patch, catalog.admin)
    assert (str(dataset.temporal_start), dataset.temporal_end) == ("2021-01-01", None)


def test_the_change_log_keeps_the_fields_of_a_deleted_dataset(
    catalog: Catalog, session: Session, tmp_path: Path
) -> None:
    dataset_id = catalog.dataset("Badplatser", license="CC0").id
    datasets.delete_dataset(session, "badplatser", catalog.admin, files_dir=tmp_path)
    session.commit()
    _total, changes = datasets.history(session, str(dataset_id), catalog.admin)
    assert changes[0].fields["license"] == ["CC0", None]
    assert changes[0].fields["title"] == [{"sv": "Badplatser"}, None]


def test_a_slug_that_looks_like_a_uuid_is_still_found_by_slug(catalog: Catalog, session: Session) -> None:
    catalog.dataset("Konstig", slug="0123456789abcdef0123456789abcdef")
    assert datasets.get_dataset(session, "0123456789abcdef0123456789abcdef", None).title["sv"] == "Konstig"
