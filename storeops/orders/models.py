"""Orders, their lines and imports from the marketplaces (R2.8)."""
