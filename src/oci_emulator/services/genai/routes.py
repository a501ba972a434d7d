"""Generative AI inference routes (host prefix ``inference.generativeai``)."""

from __future__ import annotations

from collections.abc import Callable

from oci_emulator.core.pagination import Paginator
from oci_emulator.core.routing import Route, Router
from oci_emulator.model.tenancy import TenancyModel
from oci_emulator.services.genai.models import ChatBackend
from oci_emulator.services.genai.responses import ChatResponses

BASE = "/20231130"
SERVICE = "inference.generativeai"


def genai_router(model: Callable[[], TenancyModel], paginator: Paginator) -> Router:
    r = ChatResponses(ChatBackend(model))
    return Router([Route("POST", f"{BASE}/actions/chat", "Chat", r.chat)])
