"""Shared plumbing every app stands on; imports no domain app."""
