"""The compliance scan (R5.3, R5.4, R3.4): each rule with positive and negative examples, exact
offsets into the original text, and the default lists every install starts with."""

from __future__ import annotations

from decimal import Decimal

import pytest

from storeops.compliance.models import Term, WhitelistEntry
from storeops.compliance.selectors import (
    Finding,
    ScanContext,
    compliance_scan,
    has_blocking,
    highlight_segments,
)

pytestmark = pytest.mark.django_db


def rules(text, **context):
    return [
        (f.rule, f.severity, f.text) for f in compliance_scan(text, context=ScanContext(**context))
    ]


# --- the interface -------------------------------------------------------------------------------
def test_finding_as_dict_has_the_six_keys():
    [finding] = compliance_scan("最好的杯子")
    assert finding.as_dict() == {
        "rule": "absolute_term",
        "severity": "block",
        "text": "最好",
        "start": 0,
        "end": 2,
        "message": "“最好”属于广告法禁止的极限用语（最字类）",
    }
    assert type(finding.rule) is str
    assert type(finding.severity) is str


def test_has_blocking():
    assert has_blocking(compliance_scan("最好的杯子")) is True
    assert has_blocking(compliance_scan("一只好用的杯子")) is False
    assert has_blocking([Finding("price_claim", "warn", "x", 0, 1, "m")]) is False


def test_clean_text_and_empty_text_have_no_findings():
    assert compliance_scan("") == []
    assert compliance_scan("304 不锈钢保温杯，500 毫升，保温 12 小时。") == []


def test_findings_are_sorted_by_start():
    findings = compliance_scan("销量第一，最好用，绝对耐用")
    assert [f.start for f in findings] == sorted(f.start for f in findings)
    assert [f.text for f in findings] == ["销量第一", "最好用", "绝对"]


# --- 广告法 absolute terms with the whitelist --------------------------------------------------
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("最好的杯子", [("absolute_term", "block", "最好")]),
        ("最近发货", []),
        ("第一次使用请先清洗", []),
        ("销量第一", [("absolute_term", "block", "销量第一")]),
        ("全店第一", [("absolute_term", "block", "第一")]),
        ("活动最后一天", []),
        ("最新款保温杯", []),
        ("采用最新技术", [("absolute_term", "block", "最新技术")]),
        ("最大功率 2000W", []),
        ("功率最大", [("absolute_term", "block", "最大")]),
        ("国家级品质", [("absolute_term", "block", "国家级")]),
        ("全网独家首发", [("absolute_term", "block", "独家"), ("absolute_term", "block", "首发")]),
        ("万能表一台", []),
        ("万能清洁剂", [("absolute_term", "block", "万能")]),
        ("史上最低价", [("absolute_term", "block", "史上最低价")]),
        ("第一时间发货", []),
    ],
)
def test_absolute_terms_and_whitelist(text, expected):
    assert rules(text) == expected


def test_an_unlisted_superlative_is_a_warning_through_the_catch_all():
    assert rules("最耐摔的杯子") == [("absolute_term", "warn", "最")]


@pytest.mark.parametrize(
    ("text", "matched"),
    [
        ("TOP1 爆款", "TOP1"),
        ("top1 爆款", "top1"),
        ("ＴＯＰ１爆款", "ＴＯＰ１"),
        ("行业 No.1", "No.1"),
        ("ＮＯ．１品牌", "ＮＯ．１"),
        ("100%纯棉", "100%"),
        ("１００％纯棉", "１００％"),
    ],
)
def test_ascii_and_full_width_variants_match(text, matched):
    [finding] = compliance_scan(text)
    assert finding.text == matched
    assert text[finding.start : finding.end] == matched


def test_offsets_index_the_original_text_with_emoji_and_mixed_width():
    text = "🎉🎉新品😀 ＴＯＰ１ ｜ 全网最好 ｜ ﬀ１００％ 😀👍🏻 第一"
    findings = compliance_scan(text)
    assert [(f.text, f.start, f.end) for f in findings] == [
        ("ＴＯＰ１", 6, 10),
        ("最好", 15, 17),
        ("１００％", 21, 25),
        ("第一", 30, 32),
    ]
    for f in findings:
        assert text[f.start : f.end] == f.text


def test_offsets_survive_characters_that_fold_to_several():
    # "㎏" folds to "kg" and "ß" to "ss": the folded text is longer than the original.
    text = "㎏ß 最好 ㎏ 第一"
    findings = compliance_scan(text)
    assert [(f.text, text[f.start : f.end]) for f in findings] == [
        ("最好", "最好"),
        ("第一", "第一"),
    ]
    assert [(f.start, f.end) for f in findings] == [(3, 5), (8, 10)]


def test_medical_claims():
    assert rules("本品可治疗失眠") == [("medical_claim", "block", "治疗")]
    assert rules("具有杀菌功能") == [("medical_claim", "warn", "杀菌")]
    assert rules("适合办公室使用") == []


def test_unethical_terms():
    assert rules("假一赔十，绝非山寨货") == [("unethical_term", "block", "山寨")]
    assert rules("正品保障") == []


# --- secrets ---------------------------------------------------------------------------------------
def test_staff_phone_number_is_a_secret_leak():
    assert rules("有问题加微信 13812345678") == [("secret_leak", "block", "13812345678")]
    assert rules("有问题加微信 １３８１２３４５６７８") == [
        ("secret_leak", "block", "１３８１２３４５６７８")
    ]
    # Not a mobile number: more digits, or a barcode.
    assert rules("条码 6901234567892") == []
    assert rules("容量 500 毫升") == []


def test_internal_order_numbers_are_secret():
    assert rules("见采购单 CG-20240501") == [("secret_leak", "block", "CG-20240501")]
    assert rules("型号 CG5") == []


@pytest.mark.parametrize(
    "text",
    ["成本 38.00 元", "进价38元", "出厂价：¥38", "成本价38", "拿货价 38.0"],
)
def test_standard_cost_in_copy_is_a_secret_leak(text):
    findings = compliance_scan(text, context=ScanContext(standard_costs=(Decimal("38.00"),)))
    assert [(f.rule, f.severity) for f in findings] == [("secret_leak", "block")]
    assert findings[0].text.startswith(text[:2])


@pytest.mark.parametrize(
    "text",
    ["成本 39.00 元", "售价 38 元", "仅 38 元包邮", "成本优势明显，价格实惠"],
)
def test_other_amounts_or_no_cost_word_are_not_a_cost_leak(text):
    findings = compliance_scan(text, context=ScanContext(standard_costs=(Decimal("38.00"),)))
    assert [f for f in findings if f.rule == "secret_leak"] == []


# --- false information: price claims -----------------------------------------------------------
PRICE = Decimal("79.00")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("仅需¥59", [("price_claim", "block", "仅需¥59")]),
        ("仅需￥79", []),
        ("只要79元", []),
        ("只要 69 元", [("price_claim", "block", "只要 69 元")]),
        ("原价：79元", [("price_claim", "block", "原价：79元")]),
        ("原价 59", [("price_claim", "block", "原价 59")]),
        ("原价129元", []),
        ("划线价 ￥129.00", []),
        ("到手价 89", [("price_claim", "block", "到手价 89")]),
        ("到手价 79", []),
        ("券后价69元", [("price_claim", "warn", "券后价69元")]),
        ("原价销售，不打折", []),
    ],
)
def test_price_claims_against_the_listing_price(text, expected):
    assert rules(text, listing_price=PRICE) == expected


def test_price_claims_without_a_price_record_are_unverifiable():
    [finding] = compliance_scan("仅需¥59，原价销售")
    assert (finding.rule, finding.severity, finding.text) == ("price_claim", "warn", "仅需¥59")
    assert finding.message == "无法核实的价格声明：“仅需”59 元"


def test_contradicted_price_message_names_both_amounts():
    [finding] = compliance_scan("仅需¥59", context=ScanContext(listing_price=PRICE))
    assert finding.message == "文案中的“仅需”59 元与商品售价 79.00 元不符"


# --- near-duplicate copy (R3.4) ------------------------------------------------------------------
BASE = "这款保温杯采用304不锈钢内胆，真空断热，保温保冷十二小时，杯盖一键开启，适合通勤和户外使用。"


def test_near_duplicate_above_threshold_names_the_most_similar_text():
    copied = BASE.replace("十二小时", "十个小时")
    others = (("玻璃水杯 GLT-GLS", "高硼硅玻璃杯，耐热防爆，清洗方便。"), ("保温杯 GLT-CUP", BASE))
    findings = compliance_scan(copied, context=ScanContext(other_texts=others))
    [finding] = [f for f in findings if f.rule == "near_duplicate"]
    assert (finding.severity, finding.start, finding.end) == ("warn", 0, len(copied))
    assert "“保温杯 GLT-CUP”" in finding.message
    assert "相似度" in finding.message


def test_different_copy_below_threshold_is_not_a_duplicate():
    other = "这款电热水壶一点七升大容量，食品级不锈钢，沸腾自动断电，底座三百六十度旋转。"
    findings = compliance_scan(BASE, context=ScanContext(other_texts=(("热水壶", other),)))
    assert [f for f in findings if f.rule == "near_duplicate"] == []


# --- the highlighted-text helper ---------------------------------------------------------------
def test_highlight_segments_cover_the_text_once_in_order():
    text = "全网最好，销量第一！"
    findings = [f.as_dict() for f in compliance_scan(text)]
    segments = highlight_segments(text, findings)
    assert "".join(s["text"] for s in segments) == text
    assert [(s["text"], s["finding"] and s["finding"]["rule"]) for s in segments] == [
        ("全网", None),
        ("最好", "absolute_term"),
        ("，", None),
        ("销量第一", "absolute_term"),
        ("！", None),
    ]


def test_highlight_segments_clip_overlaps_and_ignore_bad_offsets():
    text = "abcdef"
    segments = highlight_segments(
        text,
        [
            {"rule": "x", "severity": "warn", "start": 1, "end": 4},
            {"rule": "y", "severity": "block", "start": 2, "end": 6},
            {"rule": "z", "severity": "block", "start": "bad", "end": 2},
            {"rule": "near_duplicate", "severity": "warn", "start": 0, "end": 6},
        ],
    )
    assert [(s["text"], s["finding"] and s["finding"]["rule"]) for s in segments] == [
        ("a", None),
        ("bcd", "x"),
        ("ef", "y"),
    ]


# --- the default lists -------------------------------------------------------------------------
def test_every_install_has_the_default_lists():
    assert Term.objects.count() >= 150
    assert {"superlative", "first_only", "grade", "medical", "unethical"} <= set(
        Term.objects.values_list("category", flat=True)
    )
    assert {"最近", "第一次", "最后一天"} <= set(
        WhitelistEntry.objects.values_list("term", flat=True)
    )
