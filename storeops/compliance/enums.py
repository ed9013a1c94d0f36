"""Rules, severities and term categories of the compliance scan (R5.3, R5.4, R3.4)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Severity(models.TextChoices):
    BLOCK = "block", _("阻止")
    WARN = "warn", _("提醒")


class Rule(models.TextChoices):
    """What a finding is about; `Finding.rule` is one of these values."""

    ABSOLUTE_TERM = "absolute_term", _("广告法极限用语")
    MEDICAL_CLAIM = "medical_claim", _("医疗功效宣称")
    UNETHICAL_TERM = "unethical_term", _("不道德或有损形象的用语")
    SECRET_LEAK = "secret_leak", _("泄露公司机密")
    PRICE_CLAIM = "price_claim", _("虚假价格信息")
    NEAR_DUPLICATE = "near_duplicate", _("文案雷同")


class RuleKey(models.TextChoices):
    """One editable severity setting each. A price claim has two: contradicted and unverifiable."""

    ABSOLUTE_TERM = "absolute_term", _("广告法极限用语")
    MEDICAL_CLAIM = "medical_claim", _("医疗功效宣称")
    UNETHICAL_TERM = "unethical_term", _("不道德或有损形象的用语")
    SECRET_LEAK = "secret_leak", _("泄露公司机密（供应商、内部编码、员工电话、成本）")
    PRICE_CONTRADICTED = "price_contradicted", _("价格声明与商品售价不符")
    PRICE_UNVERIFIABLE = "price_unverifiable", _("无法核实的价格声明")
    NEAR_DUPLICATE = "near_duplicate", _("与本店其他商品文案雷同")


RULE_OF_KEY: dict[str, str] = {
    RuleKey.ABSOLUTE_TERM: Rule.ABSOLUTE_TERM,
    RuleKey.MEDICAL_CLAIM: Rule.MEDICAL_CLAIM,
    RuleKey.UNETHICAL_TERM: Rule.UNETHICAL_TERM,
    RuleKey.SECRET_LEAK: Rule.SECRET_LEAK,
    RuleKey.PRICE_CONTRADICTED: Rule.PRICE_CLAIM,
    RuleKey.PRICE_UNVERIFIABLE: Rule.PRICE_CLAIM,
    RuleKey.NEAR_DUPLICATE: Rule.NEAR_DUPLICATE,
}

DEFAULT_RULE_SEVERITY: dict[str, str] = {
    RuleKey.ABSOLUTE_TERM: Severity.BLOCK,
    RuleKey.MEDICAL_CLAIM: Severity.BLOCK,
    RuleKey.UNETHICAL_TERM: Severity.BLOCK,
    RuleKey.SECRET_LEAK: Severity.BLOCK,
    # False information (R5.4): a price the record contradicts is not a matter of taste.
    RuleKey.PRICE_CONTRADICTED: Severity.BLOCK,
    RuleKey.PRICE_UNVERIFIABLE: Severity.WARN,
    RuleKey.NEAR_DUPLICATE: Severity.WARN,
}

NEAR_DUPLICATE_DEFAULT_THRESHOLD = "0.80"


class TermCategory(models.TextChoices):
    """Categories of the term list (MARKETPLACES.md «广告法 absolute terms»)."""

    SUPERLATIVE = "superlative", _("最字类")
    FIRST_ONLY = "first_only", _("第一/唯一类")
    GRADE = "grade", _("级别/顶级类")
    FIRST_EXCLUSIVE = "first_exclusive", _("首/独家类")
    ABSOLUTE = "absolute", _("绝对/百分百类")
    SCARCITY = "scarcity", _("稀缺类")
    BRAND_SUPERLATIVE = "brand_superlative", _("品牌夸大类")
    DECEPTIVE = "deceptive", _("虚假诱导类")
    AUTHORITY = "authority", _("权威类")
    PERMANENT = "permanent", _("永久类")
    FEUDAL = "feudal", _("封建/歧视类")
    MEDICAL = "medical", _("医疗功效类")
    UNETHICAL = "unethical", _("不道德/有损形象类")

    @classmethod
    def rule_key(cls, category: str) -> str:
        if category == cls.MEDICAL:
            return RuleKey.MEDICAL_CLAIM
        if category == cls.UNETHICAL:
            return RuleKey.UNETHICAL_TERM
        return RuleKey.ABSOLUTE_TERM


class PatternKind(models.TextChoices):
    SUPPLIER = "supplier", _("供应商名称")
    REGEX = "regex", _("正则表达式")


SEVERITY_AUTO = ""  # a term without its own severity takes its rule's
