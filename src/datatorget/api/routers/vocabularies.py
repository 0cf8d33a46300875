"""/api/v1/vocabularies: the controlled vocabularies dataset fields take their values from."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel

from datatorget.catalog.vocabulary import VocabularyName, vocabulary

router = APIRouter(prefix="/vocabularies", tags=["vocabularies"])


class TermOut(BaseModel):
    code: str
    uri: str
    label: dict[str, str]
    media_type: str | None = None


@router.get("/{name}", summary="The terms of one vocabulary, with Swedish and English labels")
def list_terms(name: VocabularyName) -> list[TermOut]:
    return [
        TermOut(code=t.code, uri=t.uri, label=t.label, media_type=t.media_type)
        for t in vocabulary(name).values()
    ]
