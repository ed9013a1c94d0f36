"""Pages of the compliance app."""
