from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "storeops.catalog"
    label = "catalog"
    verbose_name = "商品"

    def ready(self) -> None:
        from django.utils.translation import gettext_lazy as _

        from storeops.catalog.permissions import CatalogPerm, register
        from storeops.catalog.services.transfer import (
            COLUMNS,
            IMPORT_KIND,
            product_import_job_run,
        )
        from storeops.core.importjobs import register_import_kind

        register()
        register_import_kind(
            IMPORT_KIND,
            product_import_job_run,
            permission=CatalogPerm.IMPORT_PRODUCT,
            label=_("导入商品"),
            back_url="catalog:import",
            max_bytes=20 * 1024 * 1024,
            field_labels={c.name: c.label for c in COLUMNS},
        )
