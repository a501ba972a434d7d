"""GenAI settings and where each comes from.

Precedence, per key, highest first: environment (``OCI_INV_GENAI_<KEY>``) > ``~/.config/oci-inv/genai.yaml`` >
``./.local/genai.yaml``. Keys: ``model_id`` (required), ``compartment_id`` (default: the tenancy),
``region`` (default: the home region of the credentials), ``endpoint`` (default: the region's endpoint, or the
``--endpoint-template`` like every client), ``max_tokens`` (default 600), ``temperature`` (default 0.2) and
``api_format`` (``auto``: COHERE for ``cohere.*`` models, GENERIC for the others).

The home directory and the working directory are parameters, so tests never read a real user's files.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from oci_inventory.util.errors import ConfigError

ENV_PREFIX = "OCI_INV_GENAI_"
USER_FILE = Path(".config") / "oci-inv" / "genai.yaml"  # under the home directory
LOCAL_FILE = Path(".local") / "genai.yaml"  # under the working directory
API_FORMATS = ("auto", "GENERIC", "COHERE")
PLACES = f"environment variables ({ENV_PREFIX}MODEL_ID, ...), ~/{USER_FILE} or ./{LOCAL_FILE}"


def _text(value: Any) -> str:
    if not isinstance(value, str | int | float) or isinstance(value, bool) or not str(value).strip():
        raise ValueError("expected a non-empty string")
    return str(value).strip()


def _tokens(value: Any) -> int:
    text = str(value).strip()
    if isinstance(value, bool) or not text.isdigit() or not 1 <= int(text) <= 32_000:
        raise ValueError("expected a whole number from 1 to 32000")
    return int(text)


def _temperature(value: Any) -> float:
    if isinstance(value, bool):
        raise ValueError("expected a number from 0 to 2")
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ValueError("expected a number from 0 to 2") from None
    if not math.isfinite(number) or not 0 <= number <= 2:
        raise ValueError("expected a number from 0 to 2")
    return number


def _endpoint(value: Any) -> str:
    text = _text(value)
    scheme, _, rest = text.partition("://")
    if scheme.lower() not in ("http", "https") or not rest:
        raise ValueError("expected an http:// or https:// URL")
    return text.rstrip("/")


def _api_format(value: Any) -> str:
    text = _text(value)
    key = "auto" if text.lower() == "auto" else text.upper()
    if key not in API_FORMATS:
        raise ValueError(f"expected one of {', '.join(API_FORMATS)}")
    return key


KEYS: dict[str, tuple[Callable[[Any], Any], Any]] = {
    "model_id": (_text, None),
    "compartment_id": (_text, None),
    "region": (_text, None),
    "endpoint": (_endpoint, None),
    "max_tokens": (_tokens, 600),
    "temperature": (_temperature, 0.2),
    "api_format": (_api_format, "auto"),
}


@dataclass(frozen=True)
class GenAiConfig:
    model_id: str
    compartment_id: str | None = None
    region: str | None = None
    endpoint: str | None = None
    max_tokens: int = 600
    temperature: float = 0.2
    api_format: str = "auto"
    sources: dict[str, str] = field(default_factory=dict, compare=False)

    @property
    def chat_format(self) -> str:
        """GENERIC or COHERE: as configured, else by model (``cohere.*`` models speak COHERE)."""
        if self.api_format != "auto":
            return self.api_format
        return "COHERE" if self.model_id.lower().startswith("cohere.") else "GENERIC"


def _read_file(path: Path) -> dict[str, Any]:
    import yaml

    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read the GenAI settings file {path}: {exc}") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError:
        raise ConfigError(f"the GenAI settings file {path} is not valid YAML", hint="fix the syntax") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(f"the GenAI settings file {path} must be a mapping of keys to values")
    out: dict[str, Any] = {}
    for raw_key, value in data.items():
        key = str(raw_key).strip().replace("-", "_").lower()
        if key not in KEYS:
            raise ConfigError(f"unknown key '{raw_key}' in {path}", hint=f"known keys: {', '.join(KEYS)}")
        if value is not None:
            out[key] = value
    return out


def load_genai_config(
    env: Mapping[str, str] | None = None, *, home: Path | None = None, cwd: Path | None = None
) -> GenAiConfig | None:
    """The GenAI settings, merged key by key in precedence order; None when no place sets anything."""
    env = os.environ if env is None else env
    home = Path(env.get("HOME") or Path.home()) if home is None else home
    cwd = Path.cwd() if cwd is None else cwd
    layers: list[tuple[str, dict[str, Any]]] = [
        ("env", {k: env[ENV_PREFIX + k.upper()] for k in KEYS if env.get(ENV_PREFIX + k.upper(), "").strip()}),
        (f"file {home / USER_FILE}", _read_file(home / USER_FILE)),
        (f"file {cwd / LOCAL_FILE}", _read_file(cwd / LOCAL_FILE)),
    ]
    if not any(values for _, values in layers):
        return None
    values: dict[str, Any] = {}
    sources: dict[str, str] = {}
    for key, (parse, default) in KEYS.items():
        for where, layer in layers:
            if key in layer:
                name = f"environment variable {ENV_PREFIX}{key.upper()}" if where == "env" else f"key {key} in {where}"
                try:
                    values[key] = parse(layer[key])
                except ValueError as exc:
                    raise ConfigError(f"invalid value {layer[key]!r} for {name}: {exc}") from None
                sources[key] = f"env {ENV_PREFIX}{key.upper()}" if where == "env" else where
                break
        else:
            values[key] = default
            sources[key] = "default"
    if values["model_id"] is None:
        raise ConfigError(f"no GenAI model_id is set; set it in {PLACES}", hint="e.g. cohere.command-r-plus-08-2024")
    return GenAiConfig(**values, sources=sources)


def require_genai_config(option: str, **lookup: Any) -> GenAiConfig:
    """The GenAI settings for ``option`` (``--genai-summary``, ``genai-chat``), or exit 2 naming the three places."""
    config = load_genai_config(**lookup)
    if config is None:
        raise ConfigError(
            f"{option} needs the OCI Generative AI settings and none are set: use {PLACES}",
            hint="at least model_id; see docs/genai.md",
        )
    return config
