"""Web handlers of this domain (filled in by its issue)."""

from typing import Any

from training.web.nav import NavItem

route_handlers: list[Any] = []
nav_items: list[NavItem] = []
