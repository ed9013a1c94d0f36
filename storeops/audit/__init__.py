"""Append-only, hash-chained audit events and the one function that records them."""
