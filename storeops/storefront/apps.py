from django.apps import AppConfig


class StorefrontConfig(AppConfig):
    name = "storeops.storefront"
    label = "storefront"
    verbose_name = "店铺页面"

    def ready(self) -> None:
        from storeops.content.selectors import register_page_kind
        from storeops.governance.selectors import register_decided_by_owner
        from storeops.storefront.enums import PAGE_KINDS
        from storeops.storefront.permissions import register
        from storeops.storefront.selectors import page_exists_for
        from storeops.storefront.services import page_on_publish

        register()
        for kind in PAGE_KINDS:
            register_page_kind(kind, exists=page_exists_for(kind), on_publish=page_on_publish)
        # approving a proposal names the owner and due date and creates the execution task at
        # once, so it is decided on the proposal's page (governance has no decision hook)
        register_decided_by_owner("storefront.redesignproposal")
