"""AppContext: the services a window needs, built once in app.py and handed down."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from PySide6.QtCore import QObject, Signal

from kinxpro_desktop.core.operators import OWNER_ACCESS, Access
from kinxpro_desktop.core.sync import AccountInfo
from kinxpro_desktop.paths import AppPaths
from kinxpro_desktop.services.dashboard import DashboardService
from kinxpro_desktop.services.exports import Exporter
from kinxpro_desktop.services.labels_desk import LabelDesk
from kinxpro_desktop.services.listing_edits import ListingEdits
from kinxpro_desktop.services.operators import OperatorService
from kinxpro_desktop.services.order_documents import OrderDocuments
from kinxpro_desktop.services.privacy import PrivacyService
from kinxpro_desktop.services.reports import ReportService
from kinxpro_desktop.services.shipments import ShipmentService
from kinxpro_desktop.services.views import ViewService
from kinxpro_desktop.tasks.runner import TaskRunner
from kinxpro_desktop.tasks.sync import SyncController


class AppEvents(QObject):
    """App-wide signals, always emitted on the GUI thread."""

    wiped = Signal(object)  # WipeResult
    audit_changed = Signal()
    data_changed = Signal(object)  # core.changes.Changes: what a job changed
    status_message = Signal(str)


@dataclass(frozen=True)
class AccountActions:
    """Account ▸ Connect, without the UI touching the vault or SP-API itself.

    Both callables take the form's fields (lwa_client_id, lwa_client_secret, refresh_token,
    region, marketplaces) and run on the task runner.
    """

    test: Callable[[Mapping[str, object]], AccountInfo]
    save: Callable[[Mapping[str, object], AccountInfo], None]


@dataclass(frozen=True)
class AppContext:
    paths: AppPaths
    privacy: PrivacyService
    views: ViewService
    runner: TaskRunner
    events: AppEvents
    key_mode: str
    sync: SyncController  # exists even before an account is connected (then not started)
    accounts: AccountActions
    switch_to_own_account: Callable[[], None]  # demo mode: relaunch on the seller's own data
    labels: LabelDesk  # queue, rates, buy, print, void (refuses until an account is connected)
    listing_edits: ListingEdits  # staged price/quantity edits; Submit refuses until connected
    shipments: ShipmentService  # confirm shipment (orders shipped outside Kinxpro)
    documents: OrderDocuments  # packing slips and pick lists: preview, print, save
    reports: ReportService  # Amazon reports: request, runs, rows, settlements
    dashboard: DashboardService  # tiles and charts from the local store
    exports: Exporter  # every table to CSV, XLSX, PDF
    operators: OperatorService | None = None  # operator profiles (sign in, manage)
    #: the signed-in operator, bound to the store when the services were built (app.py); the
    #: services check the store's binding, the UI only hides what the role lacks
    access: Access = OWNER_ACCESS
    switch_operator: Callable[[], None] | None = None  # Account ▸ Switch operator…
    actor: str = "owner"  # access.actor
    demo: bool = False
    wipe_interval_ms: int = 15 * 60 * 1000

    def next_wipe_after(self, last: datetime) -> datetime:
        return last + timedelta(milliseconds=self.wipe_interval_ms)
