"""Allocation, pick lists and waves, verification, packing and shipping (R2.9)."""
