"""Writing an OCI config file (and its PEM/token files) whose profiles work against an emulator."""

from __future__ import annotations

import os
import pathlib
from collections.abc import Mapping


def _write(path: pathlib.Path, data: bytes | str, mode: int = 0o600) -> pathlib.Path:
    raw = data.encode() if isinstance(data, str) else data
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    with os.fdopen(fd, "wb") as fh:
        fh.write(raw)
    os.chmod(path, mode)
    return path


def write_files(directory: pathlib.Path, files: Mapping[str, bytes | str]) -> dict[str, pathlib.Path]:
    directory.mkdir(parents=True, exist_ok=True)
    return {name: _write(directory / name, data) for name, data in files.items()}


def render_config(profiles: Mapping[str, Mapping[str, str]]) -> str:
    chunks = []
    for name, values in profiles.items():
        body = "\n".join(f"{key}={value}" for key, value in values.items())
        chunks.append(f"[{name}]\n{body}\n")
    return "\n".join(chunks)
