"""The national view has no choices of its own: it shows the apps' labels (dossier states,
funders, call and session statuses)."""
