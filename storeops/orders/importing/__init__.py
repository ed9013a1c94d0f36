"""Reading the marketplaces' order exports: layouts, cells, the staging pipeline, adapters."""
