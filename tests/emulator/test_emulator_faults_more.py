"""Scripted failures aimed at later pages, one region or one operation, through the SDK and the control API."""

from __future__ import annotations

import json
import urllib.request
from typing import Any

import oci
import pytest

from oci_emulator import Emulator


@pytest.fixture
def fresh_config(fresh_emu: Emulator, tmp_path: Any) -> dict[str, Any]:
    cfg: dict[str, Any] = oci.config.from_file(str(fresh_emu.write_oci_config(tmp_path)))
    return cfg


def _status(call: Any, *args: Any, **kwargs: Any) -> tuple[int, str]:
    try:
        call(*args, **kwargs)
    except oci.exceptions.ServiceError as exc:
        return exc.status, exc.code
    return 200, ""


def _search(emu: Emulator, cfg: dict[str, Any], make_client: Any, region: str = "us-ashburn-1") -> Any:
    return make_client(emu, oci.resource_search.ResourceSearchClient, "query", cfg, region, skip_deserialization=True)


DETAILS = oci.resource_search.models.StructuredSearchDetails(query="query all resources", matching_context_type="NONE")


def test_paged_only_fails_a_later_page_and_leaves_first_pages_alone(
    fresh_emu: Emulator, fresh_config: dict[str, Any], make_client: Any
) -> None:
    search = _search(fresh_emu, fresh_config, make_client)
    fresh_emu.faults.fail_next(1, status=400, code="InvalidParameter", service="query", paged_only=True)
    first = search.search_resources(DETAILS, limit=10)  # no page parameter: not matched, not consumed
    token = first.headers["opc-next-page"]
    assert _status(search.search_resources, DETAILS, limit=10) == (200, "")
    assert _status(search.search_resources, DETAILS, limit=10, page=token) == (400, "InvalidParameter")
    assert search.search_resources(DETAILS, limit=10, page=token).data["items"], "only one request failed"


def test_region_and_operation_filters(fresh_emu: Emulator, fresh_config: dict[str, Any], make_client: Any) -> None:
    identity = make_client(fresh_emu, oci.identity.IdentityClient, "identity", fresh_config)
    fresh_emu.faults.fail_next(1, status=503, code="ServiceUnavailable", region="eu-frankfurt-1")
    fresh_emu.faults.fail_next(1, status=404, code="NotAuthorizedOrNotFound", operation="GetTenancy")
    assert _status(identity.list_regions) == (200, "")  # neither rule matches ListRegions in us-ashburn-1
    assert _status(identity.get_tenancy, fresh_emu.model.tenancy_id) == (404, "NotAuthorizedOrNotFound")
    assert _status(_search(fresh_emu, fresh_config, make_client).search_resources, DETAILS) == (200, "")
    frankfurt = _search(fresh_emu, fresh_config, make_client, "eu-frankfurt-1")
    assert _status(frankfurt.search_resources, DETAILS) == (503, "ServiceUnavailable")
    assert _status(frankfurt.search_resources, DETAILS) == (200, "")


def test_the_control_api_takes_the_new_rule_fields(
    fresh_emu: Emulator, fresh_config: dict[str, Any], make_client: Any
) -> None:
    body = {
        "fail_next": {"n": 1, "status": 400, "code": "InvalidParameter", "paged_only": True, "region": "us-ashburn-1"}
    }
    request = urllib.request.Request(
        fresh_emu.base_url + "/_emulator/faults",
        data=json.dumps(body).encode(),
        method="POST",
        headers={"content-type": "application/json"},
    )
    with urllib.request.urlopen(request) as resp:
        assert resp.status == 200
    search = _search(fresh_emu, fresh_config, make_client)
    token = search.search_resources(DETAILS, limit=10).headers["opc-next-page"]
    assert _status(search.search_resources, DETAILS, limit=10, page=token) == (400, "InvalidParameter")
