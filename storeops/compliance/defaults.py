"""The default lists every install starts with (seeded once per DEFAULTS_VERSION after migrate).

Sources: 《广告法》第九条第三项, the 2023《广告绝对化用语执法指南》 and the categories of
MARKETPLACES.md. Decisions:
- "最" alone is a `warn` catch-all (最耐用, 最XX not in the list); the listed 最-words block. The
  whitelist keeps time order and specifications clean (最近, 最后一天, 最新款, 最大功率 …).
- "最新" alone is not listed: the guideline treats words that state time order as lawful
  (最新款, 最新上架); "最新技术/最新科技" claim quality and are listed.
- Claims that may be true with proof (终身保修, 杀菌, 抗菌, 零添加, 老字号) are `warn`.
"""

from __future__ import annotations

DEFAULTS_VERSION = 1

BLOCK, WARN, AUTO = "block", "warn", ""


def _split(words: str) -> list[str]:
    return words.split()


def _words(words: str, severity: str = AUTO) -> tuple[tuple[str, str], ...]:
    return tuple((word, severity) for word in _split(words))


# category → ((term, severity or AUTO), …)
TERMS: dict[str, tuple[tuple[str, str], ...]] = {
    "superlative": (
        *_words(
            "最好 最佳 最低 最低价 最便宜 最受欢迎 最高 最高级 最大 最优 最优秀 最强 最强大 "
            "最先进 最新技术 最新科技 最时尚 最流行 最舒适 最安全 最耐用 最实惠 最划算 最专业 "
            "最顶级 最火 最热销 最畅销 最具 最优惠 最权威 最先 最完美 最超值 最牛 最精 最赚 "
            "最符合 最节能 最省电 最环保 最智能 最出色 最给力 最棒 最酷 最美 最大牌 最信赖 "
            "最高端 最齐全 最正宗 最健康 最纯 最省心 最好用 最佳品质 最低折扣"
        ),
        ("最", WARN),
    ),
    "first_only": _words(
        "第一 唯一 独一无二 NO.1 NO1 TOP1 TOP.1 TOP10 第一品牌 销量第一 排名第一 全国第一 "
        "世界第一 全网第一 行业第一 全球第一 唯一的 仅此一款"
    ),
    "grade": _words(
        "国家级 世界级 全球级 宇宙级 顶级 顶尖 尖端 极品 极致 极佳 终极 至尊 至臻 完美 "
        "无与伦比 一流 超一流 巅峰 殿堂级 史诗级 旗舰级"
    ),
    "first_exclusive": _words(
        "首个 首选 首家 首发 首款 首创 首席 全国首发 全球首发 独家 独家配方 独创 独有 "
        "全国独家 国内首创"
    ),
    "absolute": _words(
        "绝对 绝无 100% 百分之百 百分百 万无一失 零缺陷 零风险 无敌 完胜 无懈可击 "
        "不二之选 全网最低 史上最低价 史无前例 前所未有"
    ),
    "scarcity": _words("绝版 稀世 稀世珍宝 绝无仅有 仅此一家 空前绝后 前无古人 后无来者"),
    "brand_superlative": _words(
        "冠军 王牌 之王 销冠 销量冠军 领袖品牌 领导品牌 行业领先 遥遥领先 霸主 金牌 "
        "名牌 大牌 领衔 巨星"
    ),
    "deceptive": (
        *_words(
            "万能 特效 纯天然 秒杀全网 随时涨价 仅此一次 错过不再 恭喜获奖 点击领奖 全民免单 "
            "假一赔万 无副作用 无毒无害 立竿见影 一秒见效 国家免检 质量免检"
        ),
        ("零添加", WARN),
    ),
    "authority": (
        *_words(
            "特供 专供 专家推荐 国家推荐 驰名商标 中国驰名 权威 权威认证 官方推荐 央视推荐 "
            "机关专供 领导专用 国家领导人推荐"
        ),
        ("老字号", WARN),
    ),
    "permanent": (
        *_words("永久 永远 永不 一辈子 万年 永不褪色 永不变形 永不生锈"),
        ("终身", WARN),
        ("终身保修", WARN),
    ),
    "feudal": _words("御用 皇室 贵族 皇家 宫廷 帝王 贡品 钦定 招财进宝 转运 辟邪 开光 风水"),
    "medical": (
        *_words(
            "治疗 治愈 药到病除 根治 抗癌 防癌 降血压 降血糖 降血脂 消炎 排毒 祛斑 活血 "
            "祛湿 疗效 药效 处方 包治 治百病 防治 预防疾病 增强免疫力 提高免疫力 抗衰老 "
            "延年益寿 改善睡眠 助眠 安神 壮阳 补肾 抗病毒 止痛 止咳 消肿 医用级 医疗级 理疗 "
            "减肥 燃脂 丰胸"
        ),
        ("杀菌", WARN),
        ("抗菌", WARN),
        ("除菌", WARN),
    ),
    "unethical": _words(
        "屌丝 装逼 逼格 尼玛 卧槽 垃圾货 骗子 山寨 高仿 假货 原单 A货 仿牌 刷单 好评返现 "
        "差评师 黑心 吊打同行 完爆 碾压竞品 傻瓜都会 穷鬼 土鳖"
    ),
}

WHITELIST: tuple[str, ...] = tuple(
    _split(
        "最近 最后 最后一天 最后一件 最后一批 最初 最终 最新 最新款 最新上架 最新到货 最多 最少 "
        "最长 最短 最大功率 最大容量 最大承重 最大电流 最大负载 最高温度 最低温度 最高转速 "
        "最低气温 最高档 最低档 第一次 第一天 第一步 第一层 第一节 第一章 第一时间 第一眼 "
        "第一件 首次 首页 万能表 万年历 永久磁铁"
    )
)

# (kind, label, pattern)
PATTERNS: tuple[tuple[str, str, str], ...] = (
    ("regex", "员工手机号", r"(?<![0-9])1[3-9][0-9]{9}(?![0-9])"),
    ("regex", "内部单号（采购/入库）", r"(?<![a-z0-9])(?:po|cg|rk)-?[0-9]{6,12}(?![0-9])"),
)


def term_count() -> int:
    return sum(len(terms) for terms in TERMS.values())
