"""Catalog pages: categories per store and their templates."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from storeops.catalog import selectors, services
from storeops.catalog.forms import (
    CategoryForm,
)
from storeops.catalog.permissions import CatalogPerm
from storeops.catalog.views.common import form_error, store_choice
from storeops.core.access import requires
from storeops.core.errors import DomainError, NotFound
from storeops.core.permissions import has_perm, require


# --- categories per store ------------------------------------------------------------------------
@requires(CatalogPerm.VIEW_PRODUCT)
def category_list_view(request: HttpRequest) -> HttpResponse:
    stores, store = store_choice(request)
    tree = selectors.category_tree(actor=request.user, store=store) if store else []
    can_manage = store is not None and has_perm(
        request.user, CatalogPerm.MANAGE_CATEGORY, store=store
    )
    return render(
        request,
        "catalog/category_list.html",
        {
            "stores": stores,
            "store": store,
            "tree": tree,
            "form": CategoryForm(categories=tree),
            "can_manage": can_manage,
            "can_template": has_perm(request.user, CatalogPerm.MANAGE_STANDARD),
        },
    )


@requires(CatalogPerm.MANAGE_CATEGORY)
@require_POST
def category_create_view(request: HttpRequest) -> HttpResponse:
    _stores, store = store_choice(request, request.POST.get("store", ""))
    if store is None:
        raise NotFound("store.not_found", _("店铺不存在"))
    tree = list(selectors.category_list(actor=request.user, store=store))
    form = CategoryForm(request.POST, categories=tree)
    if form.is_valid():
        data = form.cleaned_data
        parent = next((c for c in tree if str(c.pk) == data["parent"]), None)
        try:
            services.category_create(
                actor=request.user,
                store=store,
                name=data["name"],
                parent=parent,
                sort_order=data["sort_order"] or 0,
            )
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("类目已创建"))
    else:
        messages.error(request, _("请填写类目名称"))
    return redirect(f"{reverse('catalog:category_list')}?store={store.code}")


@requires(CatalogPerm.MANAGE_CATEGORY)
def category_edit_view(request: HttpRequest, category_id: int) -> HttpResponse:
    category = selectors.category_get_for_change(actor=request.user, category_id=category_id)
    tree = list(selectors.category_list(actor=request.user, store=category.store))
    initial = {
        "name": category.name,
        "parent": str(category.parent_id or ""),
        "sort_order": category.sort_order,
    }
    form = CategoryForm(request.POST or None, initial=initial, categories=tree)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        parent = next((c for c in tree if str(c.pk) == data["parent"]), None)
        try:
            services.category_update(
                actor=request.user,
                category=category,
                name=data["name"],
                parent=parent,
                sort_order=data["sort_order"] or 0,
            )
        except DomainError as exc:
            form_error(form, exc)
        else:
            messages.success(request, _("类目已保存"))
            return redirect(f"{reverse('catalog:category_list')}?store={category.store.code}")
    return render(
        request,
        "catalog/form.html",
        {
            "form": form,
            "title": _("修改类目：%(path)s") % {"path": category.path},
            "back": f"{reverse('catalog:category_list')}?store={category.store.code}",
        },
    )


@requires(CatalogPerm.MANAGE_CATEGORY)
@require_POST
def category_delete_view(request: HttpRequest, category_id: int) -> HttpResponse:
    category = selectors.category_get_for_change(actor=request.user, category_id=category_id)
    code = category.store.code
    try:
        services.category_delete(actor=request.user, category=category)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("类目已删除"))
    return redirect(f"{reverse('catalog:category_list')}?store={code}")


@requires(CatalogPerm.VIEW_PRODUCT)
def category_template_view(request: HttpRequest, category_id: int) -> HttpResponse:
    """The category's description template: the four modules' default text for new products."""
    category = selectors.category_get(actor=request.user, category_id=category_id)
    can_edit = has_perm(request.user, CatalogPerm.MANAGE_STANDARD)
    if request.method == "POST":
        require(request.user, CatalogPerm.MANAGE_STANDARD)
        bodies = {
            m.code: request.POST.get(f"module_{m.code}", "")
            for m in selectors.description_modules()
        }
        try:
            services.description_template_save(actor=request.user, category=category, bodies=bodies)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("描述模板已保存"))
            return redirect("catalog:category_template", category_id=category.pk)
    return render(
        request,
        "catalog/category_template.html",
        {
            "category": category,
            "modules": selectors.category_templates(category),
            "can_edit": can_edit,
        },
    )
