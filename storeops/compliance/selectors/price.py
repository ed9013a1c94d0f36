"""Price claims in copy (R5.4 false information) and cost figures next to cost words (secrets).

Both run on the folded text (NFKC turns ￥ into ¥ and full-width digits into ASCII).

A price claim is a claim word, then at most a few filler characters (：: 是 为 仅 只 ¥ RMB spaces),
then an amount. Claim words come in three kinds:
- selling (仅需, 只要, 只需, 现价, 售价, 一口价, 特价): must equal the listing's price;
- after discount (到手价, 券后价, 活动价, 秒杀价, 折后价): may not exceed the listing's price; below
  it depends on coupons the record does not hold, so it cannot be verified;
- reference (原价, 划线价, 市场价, 吊牌价, 专柜价, 零售价): must be above the listing's price — a
  "原价" at or below the selling price is a fake discount.
Without a listing price every claim is unverifiable.

A cost leak: a cost word (成本, 进价, 出厂价, 底价, 拿货价, 采购价 …) followed by the same kind of
filler and an amount equal to one of the SKUs' standard costs ("成本 38.00", "进价38元").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

SELLING = "selling"
AFTER_DISCOUNT = "after_discount"
REFERENCE = "reference"

CLAIM_WORDS: dict[str, str] = {
    "仅需": SELLING,
    "仅要": SELLING,
    "只要": SELLING,
    "只需": SELLING,
    "现价": SELLING,
    "售价": SELLING,
    "一口价": SELLING,
    "特价": SELLING,
    "到手价": AFTER_DISCOUNT,
    "券后价": AFTER_DISCOUNT,
    "券后": AFTER_DISCOUNT,
    "活动价": AFTER_DISCOUNT,
    "秒杀价": AFTER_DISCOUNT,
    "折后价": AFTER_DISCOUNT,
    "原价": REFERENCE,
    "划线价": REFERENCE,
    "市场价": REFERENCE,
    "吊牌价": REFERENCE,
    "专柜价": REFERENCE,
    "零售价": REFERENCE,
    "建议零售价": REFERENCE,
}
COST_WORDS = ("成本价", "成本", "进货价", "进价", "出厂价", "底价", "拿货价", "采购价", "批发价")

_AMOUNT = r"(?P<amount>\d{1,9}(?:\.\d{1,2})?)(?!\d)"
_FILLER = r"[\s:：是为仅只要需¥$]{0,4}(?:rmb|cny)?[\s¥]{0,2}"
_UNIT = r"(?:\s?(?:元|块|rmb))?"


def _alternation(words: object) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))  # type: ignore[call-overload]


CLAIM_PATTERN = re.compile(rf"(?P<word>{_alternation(CLAIM_WORDS)}){_FILLER}{_AMOUNT}{_UNIT}")
COST_PATTERN = re.compile(rf"(?P<word>{_alternation(COST_WORDS)}){_FILLER}{_AMOUNT}{_UNIT}")


@dataclass(frozen=True)
class AmountMention:
    word: str
    kind: str
    amount: Decimal
    start: int  # in the folded text
    end: int


def _amount(raw: str) -> Decimal | None:
    try:
        return Decimal(raw)
    except InvalidOperation:  # pragma: no cover - the pattern only lets digits through
        return None


def price_claims(folded: str) -> list[AmountMention]:
    found = []
    for match in CLAIM_PATTERN.finditer(folded):
        amount = _amount(match["amount"])
        if amount is not None:
            word = match["word"]
            found.append(AmountMention(word, CLAIM_WORDS[word], amount, match.start(), match.end()))
    return found


def cost_mentions(folded: str) -> list[AmountMention]:
    found = []
    for match in COST_PATTERN.finditer(folded):
        amount = _amount(match["amount"])
        if amount is not None:
            found.append(AmountMention(match["word"], "cost", amount, match.start(), match.end()))
    return found


def judge_claim(claim: AmountMention, listing_price: Decimal | None) -> str | None:
    """ "contradicted", "unverifiable" or None (consistent with the record)."""
    if listing_price is None:
        return "unverifiable"
    if claim.kind == SELLING:
        return None if claim.amount == listing_price else "contradicted"
    if claim.kind == AFTER_DISCOUNT:
        if claim.amount > listing_price:
            return "contradicted"
        return None if claim.amount == listing_price else "unverifiable"
    return "contradicted" if claim.amount <= listing_price else None
