"""The one pagination helper: follow ``opc-next-page`` by hand until it is absent.

The SDK's own pagination helpers wrap every page in a second retry layer (up to 8x8 attempts); calling the
operation directly keeps exactly one retry layer, ours.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

NEXT_PAGE_HEADER = "opc-next-page"


def paginate(call: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Iterator[Any]:
    """Yield each SDK ``Response`` of a list/search operation, passing ``page=`` from the previous response."""
    page: str | None = None
    while True:
        response = call(*args, page=page, **kwargs) if page else call(*args, **kwargs)
        yield response
        page = response.headers.get(NEXT_PAGE_HEADER)
        if not page:
            return


def list_all(call: Callable[..., Any], /, *args: Any, **kwargs: Any) -> list[Any]:
    """All items of a list operation whose response body is a bare JSON array (deserialized or raw)."""
    items: list[Any] = []
    for response in paginate(call, *args, **kwargs):
        data = response.data
        items.extend(data.get("items", []) if isinstance(data, dict) else data)
    return items
