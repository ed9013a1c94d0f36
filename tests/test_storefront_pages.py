"""Store pages (R2.3, R2.4, R2.12): creation rules, store scoping, targets checked through content,
new pages made by publishing a draft without a target, promotion-zone variants (one active)."""

from __future__ import annotations

import pytest

from storeops.audit.models import AuditEvent
from storeops.catalog.models import Category
from storeops.content.models import Publication, ReleaseDraft
from storeops.content.services import draft_approve, draft_create, draft_publish, draft_submit
from storeops.core.errors import Conflict, Forbidden, Invalid, NotFound
from storeops.storefront import selectors, services
from storeops.storefront.models import PromotionVariant, StorePage
from tests.storefront_helpers import publish_page


@pytest.fixture
def qihua(demo):
    return demo["qihua"]


def make(actor, store, kind="store_page", name="活动专题", **extra):
    return services.page_create(actor=actor, store=store, kind=kind, name=name, **extra)


def test_one_shop_sign_per_store_and_audited(qihua, stores):
    shop = stores["pdd-main"]
    StorePage.objects.filter(store=shop, kind="shop_sign").update(is_archived=True)

    sign = make(qihua, shop, kind="shop_sign", name="拼多多店招")

    with pytest.raises(Conflict) as refused:
        make(qihua, shop, kind="shop_sign", name="第二个店招")
    assert refused.value.code == "page.shop_sign_exists"
    assert StorePage.objects.filter(store=shop, kind="shop_sign", is_archived=False).count() == 1
    event = AuditEvent.objects.get(action="storefront.page.create", object_id=str(sign.pk))
    assert event.after["kind"] == "shop_sign"


def test_category_page_links_the_store_own_category_once(qihua, stores):
    shop = stores["tb-main"]
    category = Category.objects.filter(store=shop).order_by("id").first()
    other = Category.objects.exclude(store=shop).order_by("id").first()
    StorePage.objects.filter(category=category).update(is_archived=True)

    page = make(qihua, shop, name="", category=category)

    assert page.name == f"类目：{category.path}"
    with pytest.raises(Conflict):
        make(qihua, shop, name="再建一次", category=category)
    if other is not None:
        with pytest.raises(Invalid) as wrong_store:
            make(qihua, shop, name="别店类目", category=other)
        assert wrong_store.value.details == {"field": "category"}


def test_branch_page_is_based_on_a_main_store_page(qihua, stores):
    main = make(qihua, stores["tb-main"], name="品牌故事页")
    branch = make(qihua, stores["jd-main"], name="京东品牌故事页", based_on=main)

    assert branch.based_on == main
    with pytest.raises(Invalid) as refused:
        make(qihua, stores["tb-main"], name="主店不能对应主店", based_on=main)
    assert refused.value.code == "page.based_on_invalid"


def test_custom_module_needs_brand_or_promotion(qihua, stores):
    with pytest.raises(Invalid):
        make(qihua, stores["tb-main"], kind="custom_module", name="品牌页")
    page = make(qihua, stores["tb-main"], kind="custom_module", name="品牌页", module_type="brand")
    assert page.get_module_type_display() == "品牌页"


def test_scoping_and_permissions(demo, qihua, stores):
    page = make(qihua, stores["tb-main"], name="只在淘宝")

    with pytest.raises(NotFound):
        selectors.page_get(actor=demo["kefu_jd"], page_id=page.pk)
    assert selectors.page_get(actor=demo["kefu"], page_id=page.pk) == page
    with pytest.raises(Forbidden):
        make(demo["kefu"], stores["tb-main"], name="客服不能建页")
    with pytest.raises(Forbidden):
        selectors.page_get_for_change(actor=demo["kefu"], page_id=page.pk)
    assert page not in selectors.page_list(actor=demo["kefu_jd"])
    assert not StorePage.objects.filter(name="客服不能建页").exists()


def test_a_draft_for_another_store_page_is_refused_by_content(qihua, stores):
    page = make(qihua, stores["tb-main"], name="淘宝专题")

    with pytest.raises(Invalid) as refused:
        draft_create(
            actor=qihua,
            store=stores["jd-main"],
            kind="store_page",
            title="借用淘宝页面",
            body="",
            priority="general",
            target=page.pk,
        )
    assert refused.value.code == "draft.target_not_found"
    with pytest.raises(Invalid):  # right store, wrong kind
        draft_create(
            actor=qihua,
            store=stores["tb-main"],
            kind="promotion_zone",
            title="类型不符",
            body="",
            priority="general",
            target=page.pk,
        )
    services.page_archive(actor=qihua, page=page)
    with pytest.raises(Invalid):
        draft_create(
            actor=qihua,
            store=stores["tb-main"],
            kind="store_page",
            title="停用的页面",
            body="",
            priority="general",
            target=page.pk,
        )
    assert not ReleaseDraft.objects.filter(title__in=["借用淘宝页面", "类型不符", "停用的页面"])


def test_page_shows_live_publication_and_history(demo, qihua, stores):
    page = make(qihua, stores["tb-main"], name="历史测试页")
    first = publish_page(page, writer=qihua, approver=demo["jingli"], title="历史测试 v1")
    second = publish_page(page, writer=qihua, approver=demo["jingli"], title="历史测试 v2")

    assert selectors.page_live(page) == second
    assert selectors.page_publications(page) == [second, first]
    first.refresh_from_db()
    assert first.is_live is False


def test_blog_post_draft_without_target_becomes_a_page_on_publish(demo, qihua, stores):
    draft = draft_create(
        actor=qihua,
        store=stores["tb-main"],
        kind="blog",
        title="保温杯的保养小窍门",
        body="每次使用后用温水冲洗。",
        priority="general",
        target=None,
    )
    draft_submit(actor=qihua, draft=draft)
    draft_approve(actor=demo["jingli"], draft=draft, comment="")

    publication = draft_publish(actor=qihua, draft=draft)

    post = StorePage.objects.get(pk=publication.target)
    assert (post.kind, post.name, post.store) == ("blog", "保温杯的保养小窍门", stores["tb-main"])
    assert Publication.objects.get(pk=publication.pk).target == post.pk
    assert selectors.page_live(post) == publication
    coverage = selectors.store_coverage(actor=qihua, store=stores["tb-main"])
    assert post in coverage.blog_posts
    assert coverage.blog_recent >= 1


def test_a_second_shop_sign_through_a_targetless_draft_is_refused_at_publish(demo, qihua, stores):
    shop = stores["tb-main"]
    if not StorePage.objects.filter(store=shop, kind="shop_sign", is_archived=False).exists():
        make(qihua, shop, kind="shop_sign", name="淘宝店招")
    draft = draft_create(
        actor=qihua,
        store=shop,
        kind="shop_sign",
        title="另一个店招",
        body="",
        priority="general",
        target=None,
    )
    draft_submit(actor=qihua, draft=draft)
    draft_approve(actor=demo["jingli"], draft=draft, comment="")

    with pytest.raises(Conflict) as refused:
        draft_publish(actor=qihua, draft=draft)

    assert refused.value.code == "page.shop_sign_exists"
    assert not Publication.objects.filter(draft=draft).exists()


# --- promotion zones -----------------------------------------------------------------------------
@pytest.fixture
def zone(qihua, stores):
    return make(qihua, stores["tb-main"], kind="promotion_zone", name="首页促销区（测试）")


def approve_zone_draft(draft, demo):
    """content's rule for promotion zones: 运营 first, then 经理."""
    draft_submit(actor=demo["qihua"], draft=draft)
    draft_approve(actor=demo["yunying"], draft=draft, comment="运营已审")
    return draft_approve(actor=demo["jingli"], draft=draft, comment="同意")


def test_swapping_variants_keeps_one_active(demo, qihua, zone):
    spring = services.variant_create(
        actor=qihua, zone=zone, name="春季焕新", title="春季焕新", body="春季新品九折"
    )
    summer = services.variant_create(
        actor=qihua, zone=zone, name="夏日清凉", title="夏日清凉", body="夏季保温杯满减"
    )
    for variant in (spring, summer):
        approve_zone_draft(selectors.variant_latest_draft(variant), demo)

    services.variant_activate(actor=qihua, variant=spring)
    states = {v.variant.name: v.state for v in selectors.zone_variants(zone)}
    assert states == {"春季焕新": "live", "夏日清凉": "ready"}

    services.variant_activate(actor=qihua, variant=summer)

    states = {v.variant.name: v.state for v in selectors.zone_variants(zone)}
    assert states == {"春季焕新": "offline", "夏日清凉": "live"}
    assert (
        Publication.objects.filter(kind="promotion_zone", target=zone.pk, is_live=True).count() == 1
    )
    swaps = AuditEvent.objects.filter(action="storefront.zone.swap", object_id=str(zone.pk))
    assert [e.after["name"] for e in swaps.order_by("id")] == ["春季焕新", "夏日清凉"]
    assert swaps.order_by("id").last().before["variant"] == spring.pk


def test_an_offline_variant_comes_back_through_a_new_approval(demo, qihua, zone):
    spring = services.variant_create(
        actor=qihua, zone=zone, name="春季焕新", title="春季焕新", body="春季新品九折"
    )
    summer = services.variant_create(
        actor=qihua, zone=zone, name="夏日清凉", title="夏日清凉", body="夏季保温杯满减"
    )
    for variant in (spring, summer):
        approve_zone_draft(selectors.variant_latest_draft(variant), demo)
        services.variant_activate(actor=qihua, variant=variant)
    with pytest.raises(Conflict) as not_ready:
        services.variant_activate(actor=qihua, variant=spring)
    assert not_ready.value.code == "variant.not_ready"

    copy = services.variant_reuse(actor=qihua, variant=spring, submit=True)

    assert copy.status == "submitted"
    assert copy.current_revision.body == "春季新品九折"
    with pytest.raises(Conflict):  # one draft at a time per variant
        services.variant_reuse(actor=qihua, variant=spring, submit=True)
    draft_approve(actor=demo["yunying"], draft=copy, comment="")
    draft_approve(actor=demo["jingli"], draft=copy, comment="")
    services.variant_activate(actor=qihua, variant=spring)
    states = {v.variant.name: v.state for v in selectors.zone_variants(zone)}
    assert states == {"春季焕新": "live", "夏日清凉": "offline"}


def test_a_zone_draft_written_outside_the_variants_page_becomes_a_variant(demo, qihua, zone):
    draft = draft_create(
        actor=qihua,
        store=zone.store,
        kind="promotion_zone",
        title="双十一会场",
        body="全场满减",
        priority="general",
        target=zone.pk,
    )
    approve_zone_draft(draft, demo)
    draft_publish(actor=qihua, draft=draft)

    variant = PromotionVariant.objects.get(zone=zone)
    assert variant.name == "双十一会场"
    assert [v.state for v in selectors.zone_variants(zone)] == ["live"]
