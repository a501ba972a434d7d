"""Saved plans: the ordinary oci-inv settings file (YAML), plus a comment line the wizard reads back.

A saved plan runs with ``oci-inv run --config plan.yaml`` (the settings loader ignores comments) and re-opens with
``oci-inv wizard --plan plan.yaml``, which takes the operation (and, for a diff, the later run) from the
``# wizard:`` comment line. A file without that line is a plain settings file: it opens as a full inventory.
Files are written atomically; reading goes through the settings loader, so a bad file gives the same one-line
errors as ``--config`` (unknown key, bad value, not YAML, an OCI config file passed by mistake).
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass
from pathlib import Path

import yaml

from oci_inventory.config import load_config_file
from oci_inventory.export.rundir import atomic_write_bytes
from oci_inventory.util.errors import ConfigError
from oci_inventory.util.time import iso_z, utc_now
from oci_inventory.wizard.plan import DIFF, INVENTORY, OPERATIONS, Plan, settings_values

_META = re.compile(r"^#\s*wizard:\s*(?P<body>.*)$", re.M)


@dataclass(frozen=True)
class PlanMeta:
    """What a saved plan says beyond settings: the operation, and the later run of a diff."""

    operation: str = INVENTORY
    curr: str | None = None


def dump_plan(plan: Plan, path: Path | None = None) -> str:
    """The text of the saved plan: a comment header, then the settings as YAML."""
    shown = str(path) if path is not None else "plan.yaml"
    meta = f"operation={plan.operation}"
    if plan.operation == DIFF and plan.curr:
        meta += " " + shlex.join([f"curr={plan.curr}"])
    header = [
        f"# oci-inv plan written by 'oci-inv wizard' at {iso_z(utc_now())}",
        f"# run it:     oci-inv run --config {shlex.quote(shown)}",
        f"# re-open it: oci-inv wizard --plan {shlex.quote(shown)}",
        f"# wizard: {meta}",
    ]
    body = yaml.safe_dump(settings_values(plan), sort_keys=False, default_flow_style=False, allow_unicode=True)
    return "\n".join(header) + "\n" + body


def save_plan(plan: Plan, path: Path) -> Path:
    """Write the plan to ``path`` atomically (a reader sees the old file or the new one, never half of it)."""
    try:
        return atomic_write_bytes(path, dump_plan(plan, path).encode("utf-8"))
    except OSError as exc:
        raise ConfigError(f"cannot write the plan {path}: {exc.strerror or exc}", hint="choose another path") from None


def read_meta(path: Path) -> PlanMeta:
    """The operation of a saved plan (after checking its settings like ``--config`` does)."""
    load_config_file(path)  # the same checks and messages as --config
    text = path.read_text(encoding="utf-8")
    match = _META.search(text)
    if match is None:
        return PlanMeta()
    fields: dict[str, str] = {}
    try:
        words = shlex.split(match.group("body"))
    except ValueError:
        words = []
    for word in words:
        key, sep, value = word.partition("=")
        if not sep:
            raise ConfigError(f"{path}: cannot read the '# wizard:' line", hint="expected key=value words")
        fields[key] = value
    operation = fields.get("operation", INVENTORY)
    if operation not in OPERATIONS:
        raise ConfigError(
            f"{path}: unknown operation {operation!r} on the '# wizard:' line",
            hint=f"use one of {', '.join(OPERATIONS)}",
        )
    return PlanMeta(operation, fields.get("curr") or None)
