"""Services of the applicant side: structures (global) and dossiers (tenant-owned)."""

from .structures import (licence_delete, licence_save, revenue_delete, revenue_save,  # noqa: F401
                         structure_create, structure_invitation_accept,
                         structure_invitation_create, structure_update)
