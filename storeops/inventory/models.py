"""Warehouses, stock levels and the append-only movement ledger (R2.9, R2.16, R3.2)."""
