"""Where orders come from: the marketplaces' data behind one interface.

The platforms' APIs need licences we do not have, so the first (and for now only) adapter reads
the export files a user downloads from the seller back office. An API adapter implements the same
three operations later; the pipeline that stages, validates and writes orders does not change.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from django.utils.translation import gettext as _

from storeops.core.errors import Conflict
from storeops.orders.importing.pipeline import Errors, Staged, Staging, stage
from storeops.orders.importing.reading import ImportFile


@dataclass(frozen=True)
class TrackingUpdate:
    platform_order_no: str
    courier: str
    tracking_no: str


class OrderSourceAdapter(Protocol):
    """One marketplace source. `pull_orders` fills a staging area the pipeline then writes."""

    def pull_orders(
        self,
        staging: Staging,
        *,
        aliases: Mapping[str, Sequence[tuple[str, str]]],
        errors: Errors,
        progress: Any = None,
    ) -> Staged: ...

    def pull_refunds(self) -> Iterable[Mapping[str, Any]]: ...

    def push_tracking(self, updates: Sequence[TrackingUpdate]) -> None: ...


class FileAdapter:
    """Export files (CSV, .xls, .xlsx) a user downloaded: orders only, nothing pushed back."""

    def __init__(self, files: Sequence[ImportFile], *, platform: str = "auto") -> None:
        self.files = list(files)
        self.platform = platform

    def pull_orders(
        self,
        staging: Staging,
        *,
        aliases: Mapping[str, Sequence[tuple[str, str]]],
        errors: Errors,
        progress: Any = None,
        total_rows: int | None = None,
    ) -> Staged:
        errors.with_file = len(self.files) > 1
        return stage(
            staging,
            self.files,
            platform=self.platform,
            aliases=aliases,
            errors=errors,
            progress=progress,
            total_rows=total_rows,
        )

    def pull_refunds(self) -> Iterable[Mapping[str, Any]]:
        # Refunds arrive inside the order exports (退款金额, 售后状态) for now.
        return ()

    def push_tracking(self, updates: Sequence[TrackingUpdate]) -> None:
        raise Conflict(
            "orders.adapter.push_unsupported",
            _("文件导入不能回传运单号：请在平台后台批量发货，或接入平台接口后再回传"),
        )
