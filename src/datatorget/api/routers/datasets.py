"""/api/v1/datasets: search, read, create, change and delete datasets; their history."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, Response, status

from datatorget.catalog import datasets as service
from datatorget.catalog.present import dataset_out, dataset_summary, facet_values
from datatorget.catalog.schemas import ChangeList, ChangeOut, DatasetIn, DatasetList, DatasetOut, DatasetPatch
from datatorget.catalog.search import SearchQuery, search_datasets
from datatorget.deps import ApiViewer, SessionDep, SettingsDep

router = APIRouter(prefix="/datasets", tags=["datasets"])
FILTER_VALUES_MAX = 20
Many = Annotated[list[str], Query(max_length=FILTER_VALUES_MAX)]


@router.get("", summary="Search datasets")
def list_datasets(
    request: Request,
    session: SessionDep,
    viewer: ApiViewer,
    q: Annotated[str, Query(max_length=500, description="Words to look for, in Swedish or English.")] = "",
    organization: Many = [],  # noqa: B006  (FastAPI copies defaults)
    theme: Many = [],  # noqa: B006
    keyword: Many = [],  # noqa: B006
    license: Many = [],  # noqa: B006
    format: Many = [],  # noqa: B006
    sort: Annotated[
        Literal["relevance", "modified", "title"],
        Query(description="`relevance` (with q), `modified` (newest first) or `title` (Swedish A–Ö)."),
    ] = "relevance",
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
    size: Annotated[int, Query(ge=1, le=100)] = 20,
    lang: Annotated[
        str | None,
        Query(pattern=r"^[a-z]{2}$", description="List only keywords in this language in the keyword facet."),
    ] = None,
) -> DatasetList:
    query = SearchQuery(
        q=q, organization=organization, theme=theme, keyword=keyword, license=license, format=format,
        sort=sort, page=page, size=size, keyword_language=lang,
    )  # fmt: skip
    result = search_datasets(session, query, viewer)
    request.app.state.demand.count_search(q, found=result.total)
    return DatasetList(
        total=result.total,
        items=[dataset_summary(d) for d in result.datasets],
        facets=facet_values(session, result.facets),
    )


@router.post("", status_code=status.HTTP_201_CREATED, summary="Create a dataset")
def create_dataset(
    data: DatasetIn, session: SessionDep, viewer: ApiViewer, settings: SettingsDep, response: Response
) -> DatasetOut:
    dataset = service.create_dataset(session, data, viewer)
    response.headers["Location"] = f"{settings.base_url}/api/v1/datasets/{dataset.slug}"
    return dataset_out(dataset, base_url=settings.base_url)


@router.get("/{ref}", summary="Read a dataset by slug or UUID")
def read_dataset(
    ref: str, request: Request, session: SessionDep, viewer: ApiViewer, settings: SettingsDep
) -> DatasetOut:
    dataset = service.get_dataset(session, ref, viewer)
    request.app.state.demand.count_use(dataset.id, "view")
    return dataset_out(dataset, base_url=settings.base_url)


@router.patch("/{ref}", summary="Change some fields of a dataset")
def update_dataset(
    ref: str, patch: DatasetPatch, session: SessionDep, viewer: ApiViewer, settings: SettingsDep
) -> DatasetOut:
    return dataset_out(service.update_dataset(session, ref, patch, viewer), base_url=settings.base_url)


@router.delete(
    "/{ref}",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    summary="Delete a dataset and its files",
)
def delete_dataset(ref: str, session: SessionDep, viewer: ApiViewer, settings: SettingsDep) -> None:
    service.delete_dataset(session, ref, viewer, files_dir=settings.files_dir)


@router.get("/{ref}/history", summary="The recorded changes of a dataset (admins)")
def dataset_history(
    ref: str,
    session: SessionDep,
    viewer: ApiViewer,
    page: Annotated[int, Query(ge=1)] = 1,
    size: Annotated[int, Query(ge=1, le=200)] = 50,
) -> ChangeList:
    total, changes = service.history(session, ref, viewer, limit=size, offset=(page - 1) * size)
    return ChangeList(total=total, items=[ChangeOut.model_validate(c) for c in changes])
