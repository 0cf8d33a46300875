"""Who may see and change what. Anonymous callers are `None`.

- admin: everything;
- editor: reads everything published, and creates, reads and changes the datasets of their organisation;
- anonymous: reads what is published.
Datasets a caller may not see do not exist for them: lookups raise NotFound, searches leave them out.
"""

from __future__ import annotations

import uuid

from sqlalchemy import ColumnElement, true

from datatorget.catalog.models import Dataset, User
from datatorget.errors import NotAuthenticated, PermissionDenied

Viewer = User | None
STAFF_ROLES = ("editor", "admin")


def is_admin(viewer: Viewer) -> bool:
    return viewer is not None and viewer.role == "admin"


def editor_organization(viewer: Viewer) -> uuid.UUID | None:
    """The organisation an editor works for; None for anyone else (administrators included)."""
    return viewer.organization_id if viewer is not None and viewer.role == "editor" else None


def can_edit_organization_data(viewer: Viewer, organization_id: uuid.UUID) -> bool:
    return is_admin(viewer) or editor_organization(viewer) == organization_id


def can_see(viewer: Viewer, dataset: Dataset) -> bool:
    return can_see_state(viewer, dataset.state, dataset.organization_id)


def can_see_state(viewer: Viewer, state: str, organization_id: uuid.UUID) -> bool:
    """can_see, for a dataset in `state` of `organization_id` that has not been loaded."""
    return state == "published" or can_edit_organization_data(viewer, organization_id)


def visible_datasets(viewer: Viewer) -> ColumnElement[bool]:
    """The SQL condition that keeps to the datasets the viewer may see."""
    if is_admin(viewer):
        return true()
    published = Dataset.state == "published"
    if (organization_id := editor_organization(viewer)) is not None:
        return published | (Dataset.organization_id == organization_id)
    return published


def require_login(viewer: Viewer) -> User:
    if viewer is None:
        raise NotAuthenticated("log in or send an API token to do this")
    return viewer


def require_edit(viewer: Viewer, organization_id: uuid.UUID) -> User:
    user = require_login(viewer)
    if not can_edit_organization_data(user, organization_id):
        raise PermissionDenied("you may only change your own organisation and its datasets")
    return user


def require_staff(viewer: Viewer, *, to: str) -> User:
    """Editors and administrators; 401 anonymous, 403 anyone else ("only editors and administrators {to}")."""
    user = require_login(viewer)
    if user.role not in STAFF_ROLES:
        raise PermissionDenied(f"only editors and administrators {to}")
    return user


def require_admin(viewer: Viewer) -> User:
    user = require_login(viewer)
    if not is_admin(user):
        raise PermissionDenied("only an administrator may do this")
    return user
