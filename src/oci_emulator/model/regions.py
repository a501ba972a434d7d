"""The table of OCI regions the emulator knows (real names and keys of the commercial realm oc1)."""

from __future__ import annotations

REGIONS: dict[str, str] = {
    "us-ashburn-1": "IAD",
    "us-phoenix-1": "PHX",
    "us-sanjose-1": "SJC",
    "us-chicago-1": "ORD",
    "ca-toronto-1": "YYZ",
    "ca-montreal-1": "YUL",
    "eu-frankfurt-1": "FRA",
    "eu-amsterdam-1": "AMS",
    "eu-zurich-1": "ZRH",
    "eu-madrid-1": "MAD",
    "eu-marseille-1": "MRS",
    "eu-milan-1": "LIN",
    "eu-paris-1": "CDG",
    "eu-stockholm-1": "ARN",
    "uk-london-1": "LHR",
    "uk-cardiff-1": "CWL",
    "ap-tokyo-1": "NRT",
    "ap-osaka-1": "KIX",
    "ap-seoul-1": "ICN",
    "ap-chuncheon-1": "YNY",
    "ap-mumbai-1": "BOM",
    "ap-hyderabad-1": "HYD",
    "ap-sydney-1": "SYD",
    "ap-melbourne-1": "MEL",
    "ap-singapore-1": "SIN",
    "sa-saopaulo-1": "GRU",
    "sa-santiago-1": "SCL",
    "sa-vinhedo-1": "VCP",
    "me-jeddah-1": "JED",
    "me-dubai-1": "DXB",
    "il-jerusalem-1": "MTZ",
    "af-johannesburg-1": "JNB",
    "mx-queretaro-1": "QRO",
}


def region_key(region: str) -> str:
    """The three-letter key of a known region ("IAD"); KeyError for an unknown one."""
    return REGIONS[region]


def availability_domains(region: str, tenancy_prefix: str = "Uocm") -> list[str]:
    """The three AD names of a region as OCI spells them, e.g. ``Uocm:US-ASHBURN-AD-1``."""
    stem = region.upper().rsplit("-", 1)[0]
    return [f"{tenancy_prefix}:{stem}-AD-{n}" for n in (1, 2, 3)]
