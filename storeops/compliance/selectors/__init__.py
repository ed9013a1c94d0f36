"""Reading the compliance lists and scanning copy (scanning only reads the lists: a selector)."""

from storeops.compliance.selectors.lists import (
    highlight_segments,
    pattern_get_for_change,
    pattern_list,
    rule_setting_list,
    term_get_for_change,
    term_list,
    whitelist_entry_get_for_change,
    whitelist_list,
)
from storeops.compliance.selectors.scan import (
    MAX_SCAN_LENGTH,
    Finding,
    ScanContext,
    compiled_lists,
    compliance_scan,
    has_blocking,
)

__all__ = [
    "MAX_SCAN_LENGTH",
    "Finding",
    "ScanContext",
    "compiled_lists",
    "compliance_scan",
    "has_blocking",
    "highlight_segments",
    "pattern_get_for_change",
    "pattern_list",
    "rule_setting_list",
    "term_get_for_change",
    "term_list",
    "whitelist_entry_get_for_change",
    "whitelist_list",
]
