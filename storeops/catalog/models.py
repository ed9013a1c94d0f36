"""Categories per store, products (SPU) and SKUs, images, four-module descriptions, listings,
platform SKU mappings and combo SKUs (R2.2, R2.3, R2.7)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from storeops.catalog.enums import ImageKind, ListingStatus


class Category(models.Model):
    """A store's own product category (店铺分类); a tree by parent, at most CATEGORY_MAX_DEPTH deep."""

    store = models.ForeignKey("accounts.Store", on_delete=models.PROTECT, related_name="categories")
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    name = models.CharField(_("类目名称"), max_length=60)
    sort_order = models.PositiveIntegerField(_("排序"), default=0)
    depth = models.PositiveSmallIntegerField(default=1)
    path = models.CharField(
        max_length=400, editable=False
    )  # "厨房电器/电热水壶", for display and lookup

    class Meta:
        ordering = ["store_id", "path"]
        constraints = [
            models.UniqueConstraint(fields=["store", "path"], name="catalog_category_uniq_path")
        ]

    def __str__(self) -> str:
        return self.path


class PositioningTag(models.Model):
    """Product positioning (R2.2): 引流款, 利润款, 形象款 … a managed list."""

    name = models.CharField(_("定位标签"), max_length=20, unique=True)
    sort_order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["sort_order", "id"]

    def __str__(self) -> str:
        return self.name


class Product(models.Model):
    """A product (SPU), company-wide. Its category is from the main store's tree (the master tree)."""

    name = models.CharField(_("商品名称"), max_length=120)
    style_code = models.CharField(_("款号"), max_length=64, blank=True, db_index=True)
    category = models.ForeignKey(
        Category, null=True, blank=True, on_delete=models.SET_NULL, related_name="products"
    )
    attribute_names = models.JSONField(_("规格项"), default=list, blank=True)
    tags = models.ManyToManyField(PositioningTag, blank=True, related_name="products")
    is_best_seller = models.BooleanField(_("主推/爆款"), default=False)
    is_active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return self.name


class Sku(models.Model):
    """A sellable variant. The merchant code (商家编码) is the key across platforms."""

    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="skus")
    merchant_code = models.CharField(_("商家编码"), max_length=64, unique=True)
    barcode = models.CharField(_("条码"), max_length=32, blank=True)
    attributes = models.JSONField(_("规格"), default=dict, blank=True)
    attribute_key = models.CharField(max_length=400, blank=True, editable=False)
    price = models.DecimalField(_("售价"), max_digits=12, decimal_places=2)
    standard_cost = models.DecimalField(_("成本价"), max_digits=12, decimal_places=2, default=0)
    weight_g = models.PositiveIntegerField(_("重量（克）"), default=0)
    is_combo = models.BooleanField(_("组合装"), default=False)
    is_active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["product_id", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["product", "attribute_key"], name="catalog_sku_uniq_attributes"
            ),
            models.UniqueConstraint(
                fields=["barcode"], condition=~Q(barcode=""), name="catalog_sku_uniq_barcode"
            ),
        ]

    def __str__(self) -> str:
        return self.merchant_code


class ComboComponent(models.Model):
    """A combo SKU (组合装/套餐) is made of plain SKUs with quantities; stock and picking expand it."""

    combo = models.ForeignKey(Sku, on_delete=models.CASCADE, related_name="components")
    component = models.ForeignKey(Sku, on_delete=models.PROTECT, related_name="used_in_combos")
    quantity = models.PositiveIntegerField()

    class Meta:
        ordering = ["combo_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["combo", "component"], name="catalog_combo_uniq"),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="catalog_combo_qty_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.combo_id}→{self.component_id}×{self.quantity}"


class PhotoStandard(models.Model):
    """The photo standard (R2.7): one row; minimum counts and resolution checked on upload."""

    min_main_images = models.PositiveSmallIntegerField(_("主图最少张数"), default=3)
    min_detail_images = models.PositiveSmallIntegerField(_("详情图最少张数"), default=2)
    min_width = models.PositiveIntegerField(_("最小宽度（像素）"), default=800)
    min_height = models.PositiveIntegerField(_("最小高度（像素）"), default=800)
    max_file_mb = models.PositiveSmallIntegerField(_("单张最大（MB）"), default=10)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.min_main_images}/{self.min_detail_images} {self.min_width}×{self.min_height}"


class ProductImage(models.Model):
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="images")
    kind = models.CharField(_("类型"), max_length=10, choices=ImageKind.choices)
    file = models.ImageField(_("图片"), upload_to="catalog/products/%Y/%m/")
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    sort_order = models.PositiveIntegerField(default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["product_id", "kind", "sort_order", "id"]

    def __str__(self) -> str:
        return f"{self.product_id}:{self.kind}:{self.file.name}"


class DescriptionModule(models.Model):
    """One of the description's modules (R2.7: 卖点与展示, 规格参数, 细节展示, 售后与物流), configurable."""

    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(_("模块名称"), max_length=40)
    sort_order = models.PositiveIntegerField(default=0)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        ordering = ["sort_order", "id"]

    def __str__(self) -> str:
        return self.name


class DescriptionContent(models.Model):
    """The product's master description, module by module (published copies go through content)."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="descriptions")
    module = models.ForeignKey(DescriptionModule, on_delete=models.PROTECT, related_name="+")
    body = models.TextField(_("内容"), blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["product", "module"], name="catalog_description_uniq")
        ]

    def __str__(self) -> str:
        return f"{self.product_id}:{self.module_id}"


class DescriptionTemplate(models.Model):
    """A category's template text per module (描述模板, R2.3), pre-filling a new product's modules."""

    category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="templates")
    module = models.ForeignKey(DescriptionModule, on_delete=models.PROTECT, related_name="+")
    body = models.TextField(_("模板内容"))
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["category", "module"], name="catalog_template_uniq")
        ]

    def __str__(self) -> str:
        return f"{self.category_id}:{self.module_id}"


class Listing(models.Model):
    """A product in a store, with its own title, price, category (of that store) and status."""

    store = models.ForeignKey("accounts.Store", on_delete=models.PROTECT, related_name="listings")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="listings")
    title = models.CharField(_("标题"), max_length=120)
    price = models.DecimalField(_("售价"), max_digits=12, decimal_places=2)
    category = models.ForeignKey(
        Category, null=True, blank=True, on_delete=models.SET_NULL, related_name="listings"
    )
    status = models.CharField(
        _("状态"), max_length=12, choices=ListingStatus.choices, default=ListingStatus.DRAFT
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["store_id", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["store", "product"], name="catalog_listing_uniq")
        ]

    def __str__(self) -> str:
        return self.title


class PlatformSkuMapping(models.Model):
    """A platform's item/SKU id (or its merchant-code field) in one store → our SKU.

    Orders from every platform land on the right SKU through `selectors.sku_resolve`.
    """

    store = models.ForeignKey("accounts.Store", on_delete=models.PROTECT, related_name="+")
    platform_item_id = models.CharField(_("平台商品ID"), max_length=64, blank=True)
    platform_sku_id = models.CharField(_("平台SKU ID"), max_length=64, blank=True)
    platform_merchant_code = models.CharField(_("平台商家编码"), max_length=64, blank=True)
    sku = models.ForeignKey(Sku, on_delete=models.PROTECT, related_name="platform_mappings")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["store_id", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["store", "platform_item_id", "platform_sku_id"],
                condition=~Q(platform_item_id=""),
                name="catalog_mapping_uniq_ids",
            ),
            models.UniqueConstraint(
                fields=["store", "platform_merchant_code"],
                condition=Q(platform_item_id="") & ~Q(platform_merchant_code=""),
                name="catalog_mapping_uniq_code",
            ),
            models.CheckConstraint(
                condition=~Q(platform_item_id="") | ~Q(platform_merchant_code=""),
                name="catalog_mapping_has_key",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.store_id}:{self.platform_item_id}/{self.platform_sku_id}→{self.sku_id}"
