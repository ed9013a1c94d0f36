"""Forms of the catalog pages: parse input; rules stay in services."""

import re
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from storeops.catalog.enums import ImageKind


class ImportForm(forms.Form):
    file = forms.FileField(label=_("商品文件（CSV、XLSX、XLS）"))
    skip_invalid = forms.BooleanField(label=_("只导入有效行，跳过有错误的行"), required=False)


class ImageUploadForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("类型"),
        choices=ImageKind.choices,
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )
    file = forms.FileField(label=_("图片"))


TEXT = {"class": "form-control"}
SMALL = {"class": "form-control form-control-sm"}
SELECT = {"class": "form-select"}
SMALL_SELECT = {"class": "form-select form-select-sm"}
CHECK = {"class": "form-check-input"}
MONEY = {"class": "form-control", "inputmode": "decimal"}


class StoreForm(forms.Form):
    """Which store a per-store page shows (?store=code)."""

    store = forms.ChoiceField(label=_("店铺"), widget=forms.Select(attrs=SMALL_SELECT))

    def __init__(self, *args: Any, stores: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["store"].choices = [(s.code, s.name) for s in stores]


class ProductForm(forms.Form):
    name = forms.CharField(label=_("商品名称"), max_length=120, widget=forms.TextInput(attrs=TEXT))
    style_code = forms.CharField(
        label=_("款号"), max_length=64, required=False, widget=forms.TextInput(attrs=TEXT)
    )
    category = forms.ChoiceField(
        label=_("类目（主店类目）"), required=False, widget=forms.Select(attrs=SELECT)
    )
    attribute_names = forms.CharField(
        label=_("规格项（用顿号或逗号分隔，如：颜色、容量）"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs=TEXT),
    )
    tags = forms.MultipleChoiceField(
        label=_("定位标签"),
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
    )
    is_best_seller = forms.BooleanField(
        label=_("主推/爆款（图片优先拍摄）"), required=False, widget=forms.CheckboxInput(CHECK)
    )

    def __init__(self, *args: Any, categories: Any = (), tags: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [("", "—"), *((str(c.pk), c.path) for c in categories)]
        self.fields["tags"].choices = [(t.name, t.name) for t in tags]

    def attribute_list(self) -> list[str]:
        text = self.cleaned_data.get("attribute_names") or ""
        return [p.strip() for p in re.split(r"[,，、;；]+", text) if p.strip()]


class SkuForm(forms.Form):
    merchant_code = forms.CharField(
        label=_("商家编码"),
        max_length=64,
        widget=forms.TextInput(attrs={**TEXT, "placeholder": "GLT-CUP-500-BK"}),
    )
    barcode = forms.CharField(
        label=_("条码"), max_length=32, required=False, widget=forms.TextInput(attrs=TEXT)
    )
    price = forms.CharField(label=_("售价（元）"), max_length=20, widget=forms.TextInput(MONEY))
    standard_cost = forms.CharField(
        label=_("成本价（元）"), max_length=20, required=False, widget=forms.TextInput(MONEY)
    )
    weight_g = forms.IntegerField(
        label=_("重量（克）"),
        min_value=0,
        max_value=1_000_000,
        required=False,
        widget=forms.NumberInput(attrs=TEXT),
    )
    is_combo = forms.BooleanField(
        label=_("组合装（由其他 SKU 组成）"), required=False, widget=forms.CheckboxInput(CHECK)
    )
    is_active = forms.BooleanField(
        label=_("启用"), required=False, initial=True, widget=forms.CheckboxInput(CHECK)
    )

    def __init__(
        self, *args: Any, attribute_names: Any = (), show_cost: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        if not show_cost:
            del self.fields["standard_cost"]
        self.attribute_names = list(attribute_names)
        for index, name in enumerate(self.attribute_names):
            self.fields[f"attr_{index}"] = forms.CharField(
                label=name, max_length=40, widget=forms.TextInput(attrs=TEXT)
            )

    def attributes(self) -> dict[str, str]:
        return {
            name: self.cleaned_data.get(f"attr_{index}", "")
            for index, name in enumerate(self.attribute_names)
        }


class CategoryForm(forms.Form):
    name = forms.CharField(label=_("类目名称"), max_length=60, widget=forms.TextInput(attrs=TEXT))
    parent = forms.ChoiceField(label=_("上级类目"), required=False, widget=forms.Select(SELECT))
    sort_order = forms.IntegerField(
        label=_("排序"),
        min_value=0,
        max_value=100_000,
        required=False,
        initial=0,
        widget=forms.NumberInput(attrs=TEXT),
    )

    def __init__(self, *args: Any, categories: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["parent"].choices = [
            ("", _("（顶级类目）")),
            *((str(c.pk), c.path) for c in categories),
        ]


class ListingForm(forms.Form):
    title = forms.CharField(label=_("标题"), max_length=120, widget=forms.TextInput(attrs=TEXT))
    price = forms.CharField(label=_("售价（元）"), max_length=20, widget=forms.TextInput(MONEY))
    category = forms.ChoiceField(label=_("店铺类目"), required=False, widget=forms.Select(SELECT))

    def __init__(self, *args: Any, categories: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [("", "—"), *((str(c.pk), c.path) for c in categories)]


class ListingCreateForm(forms.Form):
    store = forms.ChoiceField(label=_("店铺"), widget=forms.Select(SELECT))
    title = forms.CharField(
        label=_("标题（留空用商品名称）"),
        max_length=120,
        required=False,
        widget=forms.TextInput(attrs=TEXT),
    )
    price = forms.CharField(
        label=_("售价（留空用第一个 SKU 的售价）"),
        max_length=20,
        required=False,
        widget=forms.TextInput(MONEY),
    )

    def __init__(self, *args: Any, stores: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["store"].choices = [(s.code, s.name) for s in stores]


class MappingForm(forms.Form):
    platform_item_id = forms.CharField(
        label=_("平台商品ID"), max_length=64, required=False, widget=forms.TextInput(attrs=TEXT)
    )
    platform_sku_id = forms.CharField(
        label=_("平台SKU ID"), max_length=64, required=False, widget=forms.TextInput(attrs=TEXT)
    )
    platform_merchant_code = forms.CharField(
        label=_("平台商家编码"),
        max_length=64,
        required=False,
        widget=forms.TextInput(attrs=TEXT),
    )
    merchant_code = forms.CharField(
        label=_("我方 SKU 商家编码"), max_length=64, widget=forms.TextInput(attrs=TEXT)
    )


class ModuleForm(forms.Form):
    code = forms.SlugField(label=_("模块编码"), max_length=40, widget=forms.TextInput(SMALL))
    name = forms.CharField(label=_("模块名称"), max_length=40, widget=forms.TextInput(SMALL))
    sort_order = forms.IntegerField(
        label=_("排序"), min_value=0, max_value=10_000, initial=0, widget=forms.NumberInput(SMALL)
    )
    is_active = forms.BooleanField(
        label=_("启用"), required=False, widget=forms.CheckboxInput(CHECK)
    )


class PhotoStandardForm(forms.Form):
    min_main_images = forms.IntegerField(
        label=_("主图最少张数"), min_value=0, max_value=20, widget=forms.NumberInput(TEXT)
    )
    min_detail_images = forms.IntegerField(
        label=_("详情图最少张数"), min_value=0, max_value=50, widget=forms.NumberInput(TEXT)
    )
    min_width = forms.IntegerField(
        label=_("最小宽度（像素）"), min_value=0, max_value=10000, widget=forms.NumberInput(TEXT)
    )
    min_height = forms.IntegerField(
        label=_("最小高度（像素）"), min_value=0, max_value=10000, widget=forms.NumberInput(TEXT)
    )
    max_file_mb = forms.IntegerField(
        label=_("单张最大（MB）"), min_value=1, max_value=100, widget=forms.NumberInput(TEXT)
    )
