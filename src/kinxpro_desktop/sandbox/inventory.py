"""stub"""

from __future__ import annotations

from .wire import Route

ROUTES: list[Route] = []
