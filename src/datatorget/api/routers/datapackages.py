"""/api/v1/datasets/{ref}/datapackage.json: a dataset as a Frictionless Data Package."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from datatorget.catalog.datasets import get_dataset
from datatorget.deps import ApiViewer, SessionDep, SettingsDep
from datatorget.interop.datapackage import data_package

router = APIRouter(prefix="/datasets", tags=["datasets"])


@router.get(
    "/{ref}/datapackage.json",
    summary="A dataset as a Frictionless Data Package, with the Table Schema of each table",
    response_description="A Data Package descriptor: a resource per distribution; tables as CSV downloads",
)
def read_data_package(
    ref: str, session: SessionDep, viewer: ApiViewer, settings: SettingsDep
) -> dict[str, Any]:
    dataset = get_dataset(session, ref, viewer)
    return data_package(session, dataset, base_url=settings.base_url)
