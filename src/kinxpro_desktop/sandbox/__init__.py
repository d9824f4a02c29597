"""The SP-API simulator: Amazon's wire format on loopback, for demo mode and tests.

Public API: :class:`Simulator` (start/stop, ``base_url``, ``credentials``, faults, clock,
stats, PII log) and :class:`DemoCredentials`. See :mod:`.faults` for the fault spec syntax.
"""

from __future__ import annotations

from .catalog import PII_MARKER
from .simulator import Simulator
from .state import DemoCredentials

__all__ = ["PII_MARKER", "DemoCredentials", "Simulator"]
