"""Forms of the catalog pages: parse input; rules stay in services."""

from django import forms
from django.utils.translation import gettext_lazy as _

from storeops.catalog.enums import ImageKind


class ImportForm(forms.Form):
    file = forms.FileField(label=_("商品文件（CSV、XLSX、XLS）"))
    skip_invalid = forms.BooleanField(label=_("只导入有效行，跳过有错误的行"), required=False)


class ImageUploadForm(forms.Form):
    kind = forms.ChoiceField(label=_("类型"), choices=ImageKind.choices)
    file = forms.FileField(label=_("图片"))
