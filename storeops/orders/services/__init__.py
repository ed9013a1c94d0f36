"""Order services, one module per area (imports, review, transactions, reviews, …).

Import from the module that owns the service: `from storeops.orders.services.imports import
order_import_run`.
"""
