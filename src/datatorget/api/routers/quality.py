"""/api/v1/quality and /api/v1/datasets/{ref}/quality: the metadata quality scores (data.europa.eu's MQA),
ratings, dimension points and suggestions, and the HVD checklist. Public for published datasets, like
data.europa.eu's MQA; editors and administrators also see the datasets they may see unpublished."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from datatorget.catalog.datasets import get_dataset
from datatorget.deps import ApiViewer, SessionDep
from datatorget.interop.quality import catalog_quality, dataset_quality
from datatorget.interop.quality_schemas import CatalogQualityOut, DatasetQualityOut

router = APIRouter(tags=["quality"])


@router.get("/quality", summary="The metadata quality of the catalog, worst datasets first")
def read_catalog_quality(
    session: SessionDep,
    viewer: ApiViewer,
    organization: Annotated[
        str | None, Query(max_length=100, description="Only the datasets of this organisation (its slug).")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=1000, description="Datasets in the list.")] = 100,
    offset: Annotated[int, Query(ge=0, le=1_000_000, description="Datasets to skip in the list.")] = 0,
) -> CatalogQualityOut:
    quality = catalog_quality(session, viewer, organization=organization)
    return CatalogQualityOut.of(quality, limit=limit, offset=offset)


@router.get("/datasets/{ref}/quality", summary="The metadata quality of a dataset, by slug or UUID")
def read_dataset_quality(ref: str, session: SessionDep, viewer: ApiViewer) -> DatasetQualityOut:
    return DatasetQualityOut.of(dataset_quality(session, get_dataset(session, ref, viewer)))
