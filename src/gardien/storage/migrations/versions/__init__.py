"""Migration scripts, one per change, applied in ``down_revision`` order."""
