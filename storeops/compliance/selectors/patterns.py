"""Secret patterns are administrator-written regular expressions run on every scan: they must be
cheap. Python's `re` has no timeout, so a pattern is accepted only when it cannot backtrack
catastrophically: bounded length, no backreferences or lookaround with repeats inside, and no
repeat nested inside another repeat or an alternation inside a repeat (the shapes behind ReDoS,
e.g. `(a+)+`, `(a|aa)*`)."""

from __future__ import annotations

import re
from typing import Any

from django.utils.translation import gettext as _

try:  # Python ≥ 3.11
    from re import _parser as sre_parse  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover
    import sre_parse  # type: ignore[no-redef]

MAX_PATTERN_LENGTH = 200
_REPEATS = {
    sre_parse.MAX_REPEAT,
    sre_parse.MIN_REPEAT,
    getattr(sre_parse, "POSSESSIVE_REPEAT", None),
}


def compile_pattern(pattern: str) -> re.Pattern[str]:
    """Patterns match the folded text (NFKC + casefold), so they ignore case."""
    return re.compile(pattern, re.IGNORECASE)


def _walk(items: Any, inside_repeat: bool) -> str | None:
    for op, arg in items:
        if op in (sre_parse.GROUPREF, sre_parse.GROUPREF_EXISTS):
            return _("不支持反向引用")
        if op in _REPEATS:
            _low, high, body = arg
            if inside_repeat and high > 1:
                return _("不允许嵌套的重复（如 (a+)+），这类写法可能让检查卡死")
            problem = _walk(body, inside_repeat or high > 1)
            if problem:
                return problem
        elif op == sre_parse.SUBPATTERN:
            problem = _walk(arg[-1], inside_repeat)
            if problem:
                return problem
        elif op == sre_parse.BRANCH:
            if inside_repeat:
                return _("重复内不允许使用“|”分支（如 (a|aa)*），这类写法可能让检查卡死")
            for branch in arg[1]:
                problem = _walk(branch, inside_repeat)
                if problem:
                    return problem
        elif op in (sre_parse.ASSERT, sre_parse.ASSERT_NOT):
            problem = _walk(arg[1], inside_repeat)
            if problem:
                return problem
    return None


def pattern_problem(pattern: str) -> str | None:
    """Why a pattern is refused, in Chinese; None when it is acceptable."""
    if not pattern.strip():
        return _("正则表达式不能为空")
    if len(pattern) > MAX_PATTERN_LENGTH:
        return _("正则表达式最长 %(n)d 个字符") % {"n": MAX_PATTERN_LENGTH}
    try:
        compile_pattern(pattern)
        parsed = sre_parse.parse(pattern, re.IGNORECASE)
    except (re.error, OverflowError, RecursionError) as exc:
        return _("正则表达式无效：%(error)s") % {"error": exc}
    if compile_pattern(pattern).search("") is not None:
        return _("正则表达式不能匹配空字符串")
    return _walk(parsed, inside_repeat=False)
