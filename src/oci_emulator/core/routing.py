"""Path templates (``/20160918/compartments/{compartmentId}``) mapped to handlers and operation names."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from oci_emulator.core.http import Request, Response

Handler = Callable[[Request], Response]
_PARAM = re.compile(r"\{(\w+)\}")


@dataclass(frozen=True)
class Route:
    method: str
    template: str
    operation: str
    handler: Handler


class Router:
    """Exact-path lookups first, then templates with ``{param}`` segments (each matching one segment)."""

    def __init__(self, routes: list[Route]) -> None:
        self.routes = list(routes)
        self._static: dict[tuple[str, str], Route] = {}
        self._dynamic: list[tuple[str, re.Pattern[str], Route]] = []
        for route in routes:
            if "{" in route.template:
                pattern = re.compile("^" + _PARAM.sub(r"(?P<\1>[^/]+)", route.template) + "/?$")
                self._dynamic.append((route.method, pattern, route))
            else:
                self._static[(route.method, route.template.rstrip("/"))] = route

    def match(self, method: str, path: str) -> tuple[Route, dict[str, str]] | None:
        route = self._static.get((method, path.rstrip("/")))
        if route is not None:
            return route, {}
        for route_method, pattern, candidate in self._dynamic:
            if route_method == method:
                m = pattern.match(path)
                if m:
                    return candidate, m.groupdict()
        return None

    def extended(self, routes: list[Route]) -> Router:
        """A router with these routes added after this one's."""
        return Router([*self.routes, *routes])
