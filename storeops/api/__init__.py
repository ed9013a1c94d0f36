"""Mounts every app's router into the one API at /api/v1/."""
