"""Settings and where each one comes from.

Precedence, highest first: command-line flag > environment (``OCI_INV_<NAME>``, plus the OCI CLI's own names for
auth, profile and config file) > config file (``--config PATH``, YAML or JSON) > default.

Every setting is declared once in :data:`SETTINGS`; flags, environment names, file keys, type checks and
``oci-inv config show`` are all derived from that table.
"""

from __future__ import annotations

import math
import os
import re
import string
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from oci_inventory.util.errors import ConfigError

DEFAULT_QUERY = "query all resources"
AUTH_METHODS = ("auto", "api_key", "instance_principal", "resource_principal", "security_token")
AUTH_ALIASES = {"config": "api_key", "api-key": "api_key", "instance-principal": "instance_principal"}
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
LOG_FORMATS = ("text", "json")


def _parse_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("1", "true", "yes", "on"):
        return True
    if text in ("0", "false", "no", "off", ""):
        return False
    raise ValueError("expected true or false")


def _parse_int(value: Any) -> int:
    if isinstance(value, bool):
        raise ValueError("expected a whole number")
    if isinstance(value, int):
        result = value
    elif isinstance(value, str) and value.strip().lstrip("-").isdigit():
        result = int(value.strip())
    else:
        raise ValueError("expected a whole number")
    if result < 1:
        raise ValueError("expected a whole number of at least 1")
    return result


def _parse_float(value: Any) -> float:
    if isinstance(value, bool):
        raise ValueError("expected a number")
    try:
        result = float(value)
    except (TypeError, ValueError):
        raise ValueError("expected a number") from None
    if not math.isfinite(result) or result <= 0:
        raise ValueError("expected a finite number greater than 0")
    return result


def _parse_shards(value: Any) -> str:
    """``auto``, ``off`` or a whole number of at least 1, as text (``oci_inventory.oci.discovery.parse_shards``)."""
    text = str(value).strip().lower()
    if isinstance(value, bool) or not (text in ("auto", "off") or (text.isdigit() and int(text) >= 1)):
        raise ValueError("expected auto, off or a whole number of at least 1")
    return str(int(text)) if text.isdigit() else text


def _parse_processes(value: Any) -> str:
    """``auto``, ``off`` or a whole number (0 = off), as text (``oci_inventory.enrich.processes.parse_processes``)."""
    text = str(value).strip().lower()
    if isinstance(value, bool) or not (text in ("auto", "off") or text.isdigit()):
        raise ValueError("expected auto, off or a whole number")
    return str(int(text)) if text.isdigit() else text


def _parse_str(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError("expected a string")
    return value


def _parse_list(value: Any) -> list[str]:
    if isinstance(value, str):
        items = value.split(",")
    elif isinstance(value, (list, tuple)):
        items = []
        for item in value:
            if not isinstance(item, str):
                raise ValueError("expected a list of strings")
            items.extend(item.split(","))
    else:
        raise ValueError("expected a list of strings or a comma-separated string")
    return [item.strip() for item in items if item.strip()]


def _non_empty_list(what: str) -> Callable[[Any], list[str]]:
    """A comma list that must name something: ``''`` or ``,,`` would silently widen the scope to everything."""

    def parse(value: Any) -> list[str]:
        items = _parse_list(value)
        if not items:
            raise ValueError(f"empty {what} list; leave the setting out to mean all")
        return items

    return parse


ENDPOINT_FIELDS = frozenset({"service", "region"})


def _parse_endpoint_template(value: Any) -> str:
    """An http(s) URL whose only placeholders are ``{service}`` and ``{region}``."""
    text = _parse_str(value).strip()
    try:
        fields = [(name, spec, conv) for _, name, spec, conv in string.Formatter().parse(text) if name is not None]
    except ValueError as exc:
        raise ValueError(f"not a valid template ({exc}); use {{service}} and {{region}} only") from None
    for name, spec, conv in fields:
        if name not in ENDPOINT_FIELDS or spec or conv:
            shown = "{" + name + (f"!{conv}" if conv else "") + (f":{spec}" if spec else "") + "}"
            raise ValueError(f"unknown placeholder {shown}; only {{service}} and {{region}} are allowed")
    scheme, _, rest = text.partition("://")
    if scheme.lower() not in ("http", "https") or not rest or rest.startswith("/"):
        raise ValueError("expected an http:// or https:// URL, e.g. http://127.0.0.1:8080/{service}/{region}")
    return text


def _choice(choices: tuple[str, ...], aliases: Mapping[str, str] | None = None) -> Callable[[Any], str]:
    def parse(value: Any) -> str:
        text = _parse_str(value).strip()
        key = text.upper() if choices == LOG_LEVELS else text.lower()
        key = (aliases or {}).get(key, key)
        if key not in choices:
            raise ValueError(f"expected one of {', '.join(choices)}")
        return key

    return parse


@dataclass(frozen=True)
class Setting:
    """One setting: its name, type parser, default and the environment names that may set it."""

    name: str
    parse: Callable[[Any], Any]
    default: Any
    help: str
    extra_env: tuple[str, ...] = ()

    @property
    def env(self) -> tuple[str, ...]:
        return (f"OCI_INV_{self.name.upper()}", *self.extra_env)


SETTINGS: tuple[Setting, ...] = (
    Setting("auth", _choice(AUTH_METHODS, AUTH_ALIASES), "auto", "authentication method", ("OCI_CLI_AUTH",)),
    Setting("profile", _parse_str, "DEFAULT", "OCI config profile", ("OCI_CLI_PROFILE",)),
    Setting(
        "config_file",
        _parse_str,
        "~/.oci/config",
        "OCI config file",
        ("OCI_CLI_CONFIG_FILE", "OCI_CONFIG_FILE"),
    ),
    Setting(
        "endpoint_template",
        _parse_endpoint_template,
        None,
        "endpoint override, e.g. http://127.0.0.1:8080/{service}/{region}",
    ),
    Setting("log_level", _choice(LOG_LEVELS), "WARNING", "log level"),
    Setting("log_format", _choice(LOG_FORMATS), "text", "log format"),
    Setting("connect_timeout", _parse_float, 10.0, "connect timeout in seconds"),
    Setting("read_timeout", _parse_float, 60.0, "read timeout in seconds"),
    Setting("max_attempts", _parse_int, 8, "attempts per API call (5xx and connection errors; 429s spend none)"),
    Setting("max_retry_time", _parse_float, 300.0, "total seconds one API call may spend retrying"),
    Setting("outdir", _parse_str, "out", "output directory"),
    Setting("regions", _non_empty_list("region"), None, "regions to inventory (default: all READY subscribed regions)"),
    Setting(
        "compartments",
        _non_empty_list("compartment"),
        None,
        "compartments to scope to: OCIDs, paths (/prod/network) or names",
    ),
    Setting("no_subtree", _parse_bool, False, "scope to the named compartments only, not their subtrees"),
    Setting("query", _parse_str, DEFAULT_QUERY, "Resource Search structured query"),
    Setting("include_terminated", _parse_bool, False, "keep TERMINATED and DELETED resources"),
    Setting("parquet", _parse_bool, False, "also write inventory.parquet"),
    Setting("no_enrich", _parse_bool, False, "discovery only: no enrichment calls (every record NOT_IMPLEMENTED)"),
    Setting("no_graph", _parse_bool, False, "do not write graph.graphml (relationships.jsonl keeps every edge)"),
    Setting("csv_raw", _parse_bool, False, "CSV cells exactly as in OCI: no ' prefix, no control-char replacement"),
    Setting("prev", _parse_str, None, "previous run (directory, inventory.jsonl or 'latest') to diff against"),
    Setting("allow_scope_change", _parse_bool, False, "diff runs whose query or compartment scope differ"),
    Setting("workers_region", _parse_int, None, "regions discovered in parallel (default: all selected regions)"),
    Setting("search_shards", _parse_shards, "auto", "parallel Search page chains per region: auto, off or N"),
    Setting("workers_enrich", _parse_int, 24, "enrichment threads"),
    Setting(
        "enrich_processes",
        _parse_processes,
        "auto",
        "processes sharing the enrichment calls in big runs: auto, off or N",
    ),
    Setting(
        "intake_processes",
        _parse_processes,
        "auto",
        "processes building the records that need no API call in big runs: auto, off or N",
    ),
    Setting("quiet", _parse_bool, False, "no progress or tables"),
    Setting("keep_runs", _parse_int, None, "after a complete run, keep only the N newest runs of the tenancy"),
    Setting("dataset", _parse_str, None, "Hive-partitioned Parquet dataset a complete run is added to"),
    Setting("per_tenancy_dirs", _parse_bool, False, "write runs into <outdir>/<tenancy name>/"),
    Setting("genai_summary", _parse_bool, False, "add an OCI Generative AI executive summary to the reports"),
    Setting("genai_dry_run", _parse_bool, False, "print the redacted GenAI prompt and send nothing"),
)
SETTINGS_BY_NAME = {s.name: s for s in SETTINGS}


@dataclass
class Settings:
    """The effective settings of one invocation, with the source of each value."""

    values: dict[str, Any]
    sources: dict[str, str] = field(default_factory=dict)

    def __getattr__(self, name: str) -> Any:
        values = self.__dict__.get("values", {})
        if name in values:
            return values[name]
        raise AttributeError(name)

    def get(self, name: str) -> Any:
        return self.values[name]

    def rows(self) -> list[tuple[str, str, str]]:
        """(name, value, source) for display; never contains secrets (none are settings)."""
        out = []
        for s in SETTINGS:
            value = self.values[s.name]
            text = ",".join(value) if isinstance(value, list) else ("" if value is None else str(value))
            out.append((s.name, text, self.sources[s.name]))
        return out


def _normalise_key(key: str) -> str:
    return key.strip().replace("-", "_").lower()


def load_config_file(path: Path) -> dict[str, Any]:
    """Read a YAML or JSON settings file into a dict of setting names, checking keys and types."""
    import yaml

    if not path.is_file():
        raise ConfigError(f"config file {path} does not exist", hint="check the --config path")
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read config file {path}: {exc}") from None
    if looks_like_oci_config(text):
        raise ConfigError(
            f"{path} is an OCI config file, not an oci-inv settings file; did you mean --config-file?",
            hint="--config takes YAML or JSON settings; --config-file takes the OCI config with the profiles",
        )
    try:
        data = yaml.safe_load(text)
    except RecursionError:
        raise ConfigError(f"config file {path} is nested too deeply", hint="settings are a flat mapping") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        raise ConfigError(f"config file {path} is not valid YAML or JSON{where}", hint="fix the syntax") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(f"config file {path} must contain a mapping of setting names to values")
    result: dict[str, Any] = {}
    for raw_key, raw_value in data.items():
        key = _normalise_key(str(raw_key))
        setting = SETTINGS_BY_NAME.get(key)
        if setting is None:
            known = ", ".join(s.name for s in SETTINGS)
            raise ConfigError(f"unknown key '{raw_key}' in config file {path}", hint=f"known keys: {known}")
        result[key] = _parse_value(setting, raw_value, f"key '{raw_key}' in config file {path}")
    return result


_INI_SECTION = re.compile(r"^\s*\[[^\]\[]+\]\s*$")
_INI_ASSIGNMENT = re.compile(r"^\s*[A-Za-z_][\w.-]*\s*=")


def looks_like_oci_config(text: str) -> bool:
    """True for an INI file like ``~/.oci/config``: the first meaningful line is a ``[SECTION]`` header and
    ``key = value`` lines follow (neither is a YAML or JSON mapping)."""
    lines = [line for line in text.splitlines() if line.strip() and not line.lstrip().startswith(("#", ";"))]
    return bool(lines) and bool(_INI_SECTION.match(lines[0])) and any(_INI_ASSIGNMENT.match(x) for x in lines[1:])


def _parse_value(setting: Setting, value: Any, where: str) -> Any:
    if value is None:
        return setting.default
    try:
        return setting.parse(value)
    except ValueError as exc:
        raise ConfigError(f"invalid value {value!r} for {where}: {exc}") from None


def resolve_settings(
    flags: Mapping[str, Any],
    *,
    config_path: str | None = None,
    env: Mapping[str, str] | None = None,
) -> Settings:
    """Merge flags, environment, config file and defaults. ``flags`` maps names to values (None = not given)."""
    env = os.environ if env is None else env
    config_path = config_path or env.get("OCI_INV_CONFIG") or None
    file_values: dict[str, Any] = {}
    if config_path:
        file_values = load_config_file(Path(config_path).expanduser())
    values: dict[str, Any] = {}
    sources: dict[str, str] = {}
    for s in SETTINGS:
        flag_value = flags.get(s.name)
        if flag_value is not None and flag_value != () and flag_value != []:
            option = "--" + s.name.replace("_", "-")
            values[s.name] = _parse_value(s, flag_value, f"option {option}")
            sources[s.name] = "flag"
            continue
        env_name = next((name for name in s.env if env.get(name, "") != ""), None)
        if env_name is not None:
            values[s.name] = _parse_value(s, env[env_name], f"environment variable {env_name}")
            sources[s.name] = f"env {env_name}"
        elif s.name in file_values:
            values[s.name] = file_values[s.name]
            sources[s.name] = f"file {config_path}"
        else:
            values[s.name] = s.default
            sources[s.name] = "default"
    return Settings(values, sources)
