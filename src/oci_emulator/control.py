"""Control endpoints under /_emulator (unsigned, loopback only), in the spirit of moto's /moto-api."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from oci_emulator.core.errors import InvalidParameter
from oci_emulator.core.http import Request, Response, json_response
from oci_emulator.core.routing import Route, Router

if TYPE_CHECKING:
    from oci_emulator.emulator import Emulator

_FAULT_KEYS = frozenset(
    ("latency_ms", "per_item_ms", "error_rate", "rate_limits", "retry_after_s", "down_regions", "slow_regions", "seed")
)


class ControlResponses:
    def __init__(self, emulator: Emulator) -> None:
        self.emu = emulator

    def state(self, req: Request) -> Response:
        return Response(200, self.emu.model.to_json())

    def reset(self, req: Request) -> Response:
        self.emu.reset()
        return json_response({"reset": True})

    def mutate(self, req: Request) -> Response:
        body = req.json() or {}
        if not isinstance(body, dict) or "seed" not in body:
            raise InvalidParameter("mutate needs a JSON body with seed (and optional add, remove, change)")
        try:
            summary = self.emu.mutate(
                int(body["seed"]), int(body.get("add", 10)), int(body.get("remove", 5)), int(body.get("change", 5))
            )
        except (TypeError, ValueError) as exc:
            raise InvalidParameter(str(exc)) from exc
        return json_response(summary.to_dict())

    def faults(self, req: Request) -> Response:
        body: Any = req.json() or {}
        if not isinstance(body, dict):
            raise InvalidParameter("faults needs a JSON object")
        fail_next = body.pop("fail_next", None)
        unknown = set(body) - _FAULT_KEYS
        if unknown:
            raise InvalidParameter(f"Unknown fault settings: {', '.join(sorted(unknown))}")
        try:
            self.emu.faults.configure(**body)
            for rule in [fail_next] if isinstance(fail_next, dict) else fail_next or []:
                self.emu.faults.fail_next(**rule)
        except (TypeError, ValueError) as exc:
            raise InvalidParameter(f"Invalid fault settings: {exc}") from exc
        return json_response(self.emu.faults.to_dict())

    def get_faults(self, req: Request) -> Response:
        return json_response(self.emu.faults.to_dict())

    def journal(self, req: Request) -> Response:
        entries = [e.to_dict() for e in self.emu.journal.entries()]
        return json_response(entries, items=len(entries))

    def clear_journal(self, req: Request) -> Response:
        self.emu.journal.clear()
        return json_response({"cleared": True})


def control_router(emulator: Emulator) -> Router:
    r = ControlResponses(emulator)
    base = "/_emulator"
    return Router(
        [
            Route("GET", f"{base}/state", "GetState", r.state),
            Route("POST", f"{base}/reset", "Reset", r.reset),
            Route("POST", f"{base}/mutate", "Mutate", r.mutate),
            Route("POST", f"{base}/faults", "ConfigureFaults", r.faults),
            Route("GET", f"{base}/faults", "GetFaults", r.get_faults),
            Route("GET", f"{base}/journal", "GetJournal", r.journal),
            Route("DELETE", f"{base}/journal", "ClearJournal", r.clear_journal),
        ]
    )
