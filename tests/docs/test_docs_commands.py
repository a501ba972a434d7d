"""The commands the README and docs show, run against the emulator, so docs and behaviour cannot drift apart.

Two checks:

* every fenced shell block of README.md and docs/*.md is run, line by line as a person would type it, in one
  working directory per document, with the environment pointing the tool at an emulated tenancy (as
  ``oci-inv emulator serve`` prints it). A line ending in ``# exit N`` must exit N, every other line 0. A run
  directory a document names by its timestamp (``inventories/20261128T120000Z``) is made by a real run first.
* every ``oci-inv <command> --flag`` written anywhere in the docs (inline code too) names a real command and real
  flags of that command.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
FENCE = re.compile(r"^```([a-z]*)\s*$")
SHELL_LANGUAGES = {"", "sh", "bash", "shell", "console"}
EXIT_NOTE = re.compile(r"#\s*exit (\d+)\b")
RUN_NAME = re.compile(r"(?P<outdir>[\w./-]+)/(?P<name>\d{8}T\d{6}Z)\b")
#: Lines that are not for this test: long-running servers, installs, the demo (tested on its own).
NOT_RUN = ("oci-inv emulator serve", "oci-inv demo", "make ", "pip ", "python", ". .venv", "export ", "cd ")


def shell_blocks(path: Path) -> Iterator[list[str]]:
    """The fenced blocks of a Markdown file that hold shell commands (not transcripts or JSON)."""
    block: list[str] | None = None
    language = ""
    for line in path.read_text(encoding="utf-8").splitlines():
        fence = FENCE.match(line)
        if fence and block is None:
            block, language = [], fence.group(1)
        elif line.startswith("```") and block is not None:
            if language in SHELL_LANGUAGES:
                yield block
            block = None
        elif block is not None:
            block.append(line)


def commands(path: Path) -> list[str]:
    """The ``oci-inv`` command lines of a document's shell blocks, continuation lines joined."""
    out: list[str] = []
    for block in shell_blocks(path):
        joined = "\n".join(block).replace("\\\n", " ")
        for line in joined.splitlines():
            line = line.strip().removeprefix("$ ")
            if line.startswith("oci-inv ") and not line.startswith(NOT_RUN):
                out.append(line)
    return out


def expected_code(line: str) -> int:
    match = EXIT_NOTE.search(line)
    return int(match.group(1)) if match else 0


def documents_with_commands() -> list[Path]:
    return [path for path in DOCS if commands(path)]


def _environment(tenancy, bin_dir: Path) -> dict[str, str]:  # type: ignore[no-untyped-def]
    env = dict(os.environ)
    env.update(
        OCI_CLI_CONFIG_FILE=str(tenancy.config_file),
        OCI_INV_ENDPOINT_TEMPLATE=tenancy.emu.endpoint_template,
        OCI_METADATA_BASE_URL=tenancy.emu.metadata_base_url,
        PATH=f"{bin_dir}{os.pathsep}{env.get('PATH', '')}",
        COLUMNS="120",
    )
    return env


def _make_named_runs(line: str, cwd: Path, env: dict[str, str]) -> None:
    """A run the document names by its timestamp is made by a real run, then given that name."""
    for match in RUN_NAME.finditer(line):
        target = cwd / match.group("outdir") / match.group("name")
        if target.exists():
            continue
        scratch = cwd / ".named-runs"
        done = subprocess.run(
            ["oci-inv", "run", "--outdir", str(scratch), "--quiet"], cwd=cwd, env=env, capture_output=True, text=True
        )
        assert done.returncode == 0, done.stderr
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(done.stdout.strip().splitlines()[-1], target)


@pytest.mark.parametrize("doc", documents_with_commands(), ids=lambda p: p.name)
def test_the_commands_a_document_shows_work(doc: Path, shared_tenancy, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    bin_dir = Path(sys.executable).parent
    assert (bin_dir / "oci-inv").exists(), "the oci-inv script is installed next to the interpreter"
    env = _environment(shared_tenancy, bin_dir)
    for line in commands(doc):
        _make_named_runs(line, tmp_path, env)
        done = subprocess.run(
            ["bash", "-c", f"set -o pipefail; {line}"], cwd=tmp_path, env=env, capture_output=True, text=True
        )
        assert done.returncode == expected_code(line), f"{doc.name}: {line}\n{done.stderr}"
        assert "Traceback" not in done.stderr, f"{doc.name}: {line}\n{done.stderr}"


INLINE = re.compile(r"`(oci-inv [^`]+)`")


def mentioned_invocations() -> list[tuple[str, str]]:
    """Every ``oci-inv ...`` written in the docs, inline or in blocks, with the document it is in."""
    found: list[tuple[str, str]] = []
    for path in DOCS:
        text = path.read_text(encoding="utf-8")
        found += [(path.name, m.group(1)) for m in INLINE.finditer(text)]
        found += [(path.name, line) for line in commands(path)]
    return found


def _command_of(words: list[str]):  # type: ignore[no-untyped-def]
    import click

    from oci_inventory.cli import cli

    command: click.Command = cli
    for word in words[1:]:
        if isinstance(command, click.Group) and word in command.commands:
            command = command.commands[word]
        else:
            break
    return command


def test_every_documented_command_and_flag_exists() -> None:
    import click

    from oci_inventory.cli import cli

    checked = 0
    for doc, invocation in mentioned_invocations():
        text = invocation.split("#", 1)[0].split("|", 1)[0].split(">", 1)[0]
        words = shlex.split(text.replace("[", " ").replace("]", " ").replace("\\", " "))
        command = _command_of(words)
        if command is cli and len(words) > 1 and not words[1].startswith("-"):
            pytest.fail(f"{doc}: `{invocation}`: no command {words[1]!r}")
        options = {opt for p in command.params if isinstance(p, click.Option) for opt in (*p.opts, *p.secondary_opts)}
        options |= {"--help", "-h", "--version"}
        for word in words:
            flag = word.split("=", 1)[0]
            if flag.startswith("--"):
                assert flag in options, f"{doc}: `{invocation}`: {command.name} has no option {flag}"
        checked += 1
    assert checked >= 10


def _normalized(text: str, outdir: str) -> list[str]:
    text = text.replace(outdir, "out/demo")
    text = re.sub(r"127\.0\.0\.1:\d+", "127.0.0.1:PORT", text)
    text = re.sub(r"\d{8}T\d{6}Z(-\d+)?", "RUN", text)
    return text.splitlines()


def test_the_readme_shows_what_make_demo_prints(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """The README transcript is abridged, but its section lines and the files it lists are the real ones."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    start = readme.index("```\n== Emulated tenancy")
    shown = readme[start + 4 : readme.index("```", start + 4)]
    result = cli("demo", "--outdir", str(tmp_path / "demo"))
    assert result.code == 0, result.err
    actual = _normalized(result.out + result.err, str(tmp_path / "demo"))
    for line in _normalized(shown, "out/demo"):
        if line.startswith("== ") or line.startswith("oci-inv: ") or line.startswith("diff vs previous run"):
            assert re.sub(r"\d+\.\d+s$", "", line) in {re.sub(r"\d+\.\d+s$", "", a) for a in actual}, line
    first = sorted(p for p in (tmp_path / "demo").iterdir() if p.name[:1].isdigit())[0]
    figures = json.loads((first / "run_summary.json").read_text())
    assert figures["enriched_ok"] >= 0.95 * figures["total_discovered"], "at least 95% of the demo records end OK"
    files = [line.split()[0] for line in shown.split("== Files")[1].splitlines()[1:] if line.strip()]
    second = sorted(p for p in (tmp_path / "demo").iterdir() if p.name[:1].isdigit())[-1]
    assert files == sorted(p.name for p in second.iterdir())


def test_the_quickstart_shows_the_exports_the_emulator_prints(tmp_path: Path) -> None:
    quickstart = (ROOT / "docs" / "quickstart.md").read_text(encoding="utf-8")
    shown = sorted(set(re.findall(r"^export (\w+)=", quickstart, re.M)))
    proc = subprocess.Popen(
        [sys.executable, "-m", "oci_emulator", "serve", "--port", "0", "--size", "50", "--config-dir", str(tmp_path)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        printed: list[str] = []
        for line in proc.stdout:
            printed.append(line)
            if line.startswith("# control"):
                break
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    assert shown == sorted(set(re.findall(r"^export (\w+)=", "".join(printed), re.M)))


def test_the_quickstart_names_every_json_log_context_field() -> None:
    from oci_inventory.logging import CONTEXT_FIELDS

    quickstart = (ROOT / "docs" / "quickstart.md").read_text(encoding="utf-8")
    listed = re.search(r"context when known \(([^)]*)\)", quickstart)
    assert listed is not None
    assert [name.strip() for name in listed.group(1).split(",")] == list(CONTEXT_FIELDS)
