"""`storeops seed-demo`: the demo company 格润莱特, built by calling every app's services."""
