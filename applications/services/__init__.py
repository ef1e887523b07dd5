"""Services of the applicant side: structures (global) and dossiers (tenant-owned)."""

from .dossiers import (DossierError, attachment_remove, attachment_upload,  # noqa: F401
                       dossier_message_post, dossier_request_completion,
                       dossier_save_invalid_input, dossier_set_budget, dossier_set_declarations,
                       dossier_set_partners, dossier_start, dossier_submit,
                       dossier_update_project, dossier_withdraw, editable_steps,
                       open_completion_request, tenant_code)
from .structures import (licence_delete, licence_save, revenue_delete, revenue_save,  # noqa: F401
                         structure_create, structure_invitation_accept,
                         structure_invitation_create, structure_update)
from .transitions import (dossier_status_changed, dossier_transition,  # noqa: F401
                          dossiers_transition)
