"""Pages of the content app."""
