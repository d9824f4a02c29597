"""Background sync of orders, buyer data for orders to ship, listings and FBA inventory."""

from kinxpro_desktop.services.sync.service import SyncService

__all__ = ["SyncService"]
