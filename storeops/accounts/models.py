"""Users, roles, stores, API tokens."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from storeops.accounts.enums import Language, Platform
from storeops.core.roles import RoleCode


class Store(models.Model):
    """One store on one platform (or the own mall): the unit of data scope."""

    code = models.SlugField(_("店铺编码"), max_length=40, unique=True)
    platform = models.CharField(_("平台"), max_length=20, choices=Platform.choices)
    name = models.CharField(_("店铺名称"), max_length=100)
    is_main_store = models.BooleanField(_("主店"), default=False)
    is_active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"


class Role(models.Model):
    """A permission role: a named set of permission codenames, editable by an administrator."""

    code = models.CharField(_("角色编码"), max_length=40, unique=True)
    name = models.CharField(_("角色名称"), max_length=60)
    description = models.CharField(_("说明"), max_length=200, blank=True)
    is_system = models.BooleanField(default=False)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_admin_role(self) -> bool:
        return self.code == RoleCode.ADMIN


class RolePermission(models.Model):
    role = models.ForeignKey(Role, on_delete=models.CASCADE, related_name="grants")
    codename = models.CharField(max_length=100, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["role", "codename"], name="uniq_role_codename")
        ]

    def __str__(self) -> str:
        return f"{self.role_id}:{self.codename}"


class KnownPermission(models.Model):
    """Codenames whose defaults were already applied: an admin's later edits are never undone.
    `default_roles`: the roles the defaults were applied to — a role the code adds to a codename's
    defaults later is granted it once (None: known from before this was recorded)."""

    codename = models.CharField(max_length=100, unique=True)
    introduced_at = models.DateTimeField(auto_now_add=True)
    default_roles = models.JSONField(null=True, blank=True)

    def __str__(self) -> str:
        return self.codename


class User(AbstractUser):
    language = models.CharField(
        _("界面语言"), max_length=10, choices=Language.choices, default=Language.ZH_HANS
    )
    roles = models.ManyToManyField(Role, blank=True, related_name="users", verbose_name=_("角色"))
    stores = models.ManyToManyField(
        Store, blank=True, related_name="users", verbose_name=_("负责店铺")
    )

    class Meta:
        ordering = ["username"]

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    # --- the Actor protocol of storeops.core.permissions (cached for the request) --------------
    def permission_codes(self) -> frozenset[str]:
        cached = getattr(self, "_storeops_codes", None)
        if cached is None:
            if not self.is_active:
                cached = frozenset()
            elif self.is_superuser:
                from storeops.core.permissions import all_permissions

                cached = frozenset(spec.codename for spec in all_permissions())
            else:
                cached = frozenset(
                    RolePermission.objects.filter(role__users=self).values_list(
                        "codename", flat=True
                    )
                )
            self._storeops_codes = cached
        return cached

    def role_codes(self) -> frozenset[str]:
        cached = getattr(self, "_storeops_roles", None)
        if cached is None:
            cached = frozenset(self.roles.values_list("code", flat=True))
            self._storeops_roles = cached
        return cached

    def store_ids(self) -> frozenset[int]:
        cached = getattr(self, "_storeops_store_ids", None)
        if cached is None:
            if self.is_superuser:
                cached = frozenset(Store.objects.values_list("id", flat=True))
            else:
                cached = frozenset(self.stores.values_list("id", flat=True))
            self._storeops_store_ids = cached
        return cached

    def works_in(self, store: object) -> bool:
        store_id = getattr(store, "pk", store)
        return store_id in self.store_ids()

    def forget_access_cache(self) -> None:
        for attr in ("_storeops_codes", "_storeops_roles", "_storeops_store_ids"):
            self.__dict__.pop(attr, None)


class ApiToken(models.Model):
    """A bearer token: 32 random bytes shown once, kept only as SHA-256."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("名称"), max_length=100, blank=True)
    key_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=8)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user.username})"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
