"""Pages of the org app."""
