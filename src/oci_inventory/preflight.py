"""``oci-inv preflight``: will a run work here? One line per check, OK / WARN / FAIL with the fix.

Local checks first (Python, versions, pyarrow, the OCI config file, profile and key file, GenAI configuration, the
output directory), then, unless ``--no-auth-check``, a live sign-in (tenancy name, home region) and one
``search_resources`` call of one result per subscribed region. Nothing is written to OCI and nothing is created
locally except a probe file in the output directory, removed at once.

Exit code: 2 when a local check FAILs, else 3 when sign-in or Search is refused (authentication/authorization),
else 5 when OCI cannot be reached, else 0 (WARN lines do not change it).
"""

from __future__ import annotations

import configparser
import os
import shutil
import sys
import tempfile
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from importlib import metadata
from importlib.util import find_spec
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from oci_inventory import __version__
from oci_inventory.util.errors import ExitCode, OciInvError
from oci_inventory.util.text import visible

if TYPE_CHECKING:
    from oci_inventory.oci.clients import ClientFactory

OK, WARN, FAIL = "OK", "WARN", "FAIL"
MIN_PYTHON = (3, 11)
LOW_SPACE_BYTES = 1 << 30  # WARN below 1 GiB free in the output directory
GENAI_ENV_PREFIX = "OCI_INV_GENAI_"
PROFILE_AUTH = ("auto", "api_key", "security_token")


def genai_config_places(cwd: Path | None = None) -> list[Path]:
    """The GenAI configuration files, in the order they are looked at (after the environment)."""
    return [Path.home() / ".config" / "oci-inv" / "genai.yaml", (cwd or Path.cwd()) / ".local" / "genai.yaml"]


@dataclass(frozen=True)
class Check:
    """One line of the report. ``kind`` says which exit code a FAIL means: local (2), auth (3), unavailable (5)."""

    name: str
    status: str
    detail: str
    fix: str = ""
    kind: str = "local"


@dataclass(frozen=True)
class PreflightReport:
    checks: list[Check]

    @property
    def exit_code(self) -> ExitCode:
        failed = {c.kind for c in self.checks if c.status == FAIL}
        for kind, code in (("local", ExitCode.USAGE), ("auth", ExitCode.AUTH), ("unavailable", ExitCode.UNAVAILABLE)):
            if kind in failed:
                return code
        return ExitCode.OK

    def as_json(self) -> dict[str, Any]:
        return {
            "ready": self.exit_code == ExitCode.OK,
            "exit_code": int(self.exit_code),
            "checks": [asdict(c) for c in self.checks],
        }


class _Settings(Protocol):
    sources: dict[str, str]

    def get(self, name: str) -> Any: ...


def run_preflight(
    settings: _Settings,
    make_factory: Callable[[_Settings], ClientFactory],
    *,
    parquet: bool = False,
    genai: bool = False,
    auth_check: bool = True,
    env: Mapping[str, str] | None = None,
) -> PreflightReport:
    """Every check, in order. ``make_factory`` signs in (it raises AuthError and friends like ``oci-inv run``)."""
    env = os.environ if env is None else env
    checks = [check_python(), check_versions(), check_pyarrow(parquet)]
    checks += check_oci_config(settings)
    checks.append(check_genai(genai, env))
    checks.append(check_outdir(Path(str(settings.get("outdir"))).expanduser()))
    if not auth_check:
        checks.append(Check("sign-in", OK, "not checked (--no-auth-check)"))
    elif any(c.status == FAIL for c in checks if c.name in ("oci config", "profile", "key file")):
        checks.append(Check("sign-in", WARN, "not attempted", "fix the OCI config failures above first"))
    else:
        checks += check_live(settings, make_factory)
    return PreflightReport(checks)


def check_python() -> Check:
    version = ".".join(str(n) for n in sys.version_info[:3])
    if sys.version_info[:2] >= MIN_PYTHON:
        return Check("python", OK, f"Python {version} ({sys.executable})")
    return Check("python", FAIL, f"Python {version}", "install Python 3.11 or newer and recreate the venv")


def _version(distribution: str) -> str | None:
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return None


def check_versions() -> Check:
    sdk = _version("oci")
    if sdk is None:
        return Check("versions", FAIL, f"oci-inv {__version__}; the oci SDK is not installed", "pip install oci")
    return Check("versions", OK, f"oci-inv {__version__}, oci SDK {sdk}")


def check_pyarrow(requested: bool) -> Check:
    version = _version("pyarrow") if find_spec("pyarrow") is not None else None
    if version is not None:
        return Check("pyarrow", OK, f"pyarrow {version}" + ("" if requested else " (for --parquet)"))
    if requested:
        return Check("pyarrow", FAIL, "--parquet needs pyarrow, not installed", "pip install 'oci-inventory[parquet]'")
    return Check("pyarrow", OK, "not installed; only --parquet needs it")


def _read_oci_config(path: Path) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(interpolation=None)
    with open(path, encoding="utf-8") as handle:
        parser.read_file(handle)
    return parser


def oci_profiles(path: Path) -> list[str]:
    """The profile names of an OCI config file (DEFAULT first when it has keys); [] when unreadable."""
    try:
        parser = _read_oci_config(path)
    except (OSError, UnicodeDecodeError, configparser.Error):
        return []
    return (["DEFAULT"] if parser.defaults() else []) + [s for s in parser.sections() if s != "DEFAULT"]


def check_oci_config(settings: _Settings) -> list[Check]:
    """The OCI config file, the profile and its key file (present; not readable by group/others: WARN)."""
    from oci_inventory.auth.providers import key_permission_warnings

    auth = str(settings.get("auth"))
    if auth not in PROFILE_AUTH:
        return [Check("oci config", OK, f"not used by --auth {auth}")]
    path = Path(str(settings.get("config_file"))).expanduser()
    named = settings.sources.get("config_file", "default") != "default"
    if not path.is_file():
        fix = "create it with 'oci setup config', or pass --config-file"
        if auth == "auto" and not named:
            return [Check("oci config", WARN, f"no OCI config file at {path}; auto tries instance principal", fix)]
        return [Check("oci config", FAIL, f"OCI config file {path} not found", fix)]
    try:
        parser = _read_oci_config(path)
    except (OSError, UnicodeDecodeError, configparser.Error) as exc:
        reason = " ".join(str(exc).split())[:200]
        return [
            Check("oci config", FAIL, f"cannot read {path}: {reason}", "fix the file (INI: [PROFILE], key = value)")
        ]
    checks = [Check("oci config", OK, str(path))]
    profile = str(settings.get("profile"))
    found = (profile == "DEFAULT" and bool(parser.defaults())) or parser.has_section(profile)
    if not found:
        names = ", ".join(oci_profiles(path)) or "none"
        checks.append(Check("profile", FAIL, f"[{profile}] not in {path} (profiles: {names})", "pass --profile"))
        return checks
    section = parser[profile] if profile != "DEFAULT" else parser.defaults()
    kind = "session token" if section.get("security_token_file") else "API key"
    if section.get("delegation_token_file"):
        kind = "delegation token"
    checks.append(Check("profile", OK, f"[{profile}] ({kind}, region {section.get('region') or '?'})"))
    key_file = section.get("key_file")
    if not key_file:
        if kind != "delegation token":
            checks.append(Check("key file", FAIL, f"[{profile}] has no key_file", "add key_file to the profile"))
        return checks
    key = Path(key_file).expanduser()
    if not key.is_file():
        checks.append(Check("key file", FAIL, f"{key} does not exist", "fix key_file in the profile"))
    else:
        warnings = key_permission_warnings(str(key))
        status, fix = (WARN, f"chmod 600 {key}") if warnings else (OK, "")
        mode = f"{key.stat().st_mode & 0o777:o}"
        checks.append(Check("key file", status, f"{key} (mode {mode})", fix))
    for token_key in ("security_token_file", "delegation_token_file"):
        token = section.get(token_key)
        if token and not Path(token).expanduser().is_file():
            checks.append(Check("token file", FAIL, f"{token_key} {token} does not exist", "refresh the session"))
    return checks


def genai_source(env: Mapping[str, str], cwd: Path | None = None) -> tuple[str, Path | None]:
    """Where the GenAI configuration comes from: ``env``, a file, or ``none``."""
    names = sorted(name for name, value in env.items() if name.startswith(GENAI_ENV_PREFIX) and value)
    if names:
        return f"environment ({', '.join(names)})", None
    for place in genai_config_places(cwd):
        if place.is_file():
            return f"file {place}", place
    return "none", None


def genai_configured(env: Mapping[str, str]) -> bool:
    """True when a usable GenAI configuration is in effect (the wizard offers the GenAI summary then)."""
    from oci_inventory.util.errors import ConfigError

    try:
        from oci_inventory.genai.config import load_genai_config
    except ImportError:
        return genai_source(env)[0] != "none"
    try:
        return load_genai_config(env) is not None
    except ConfigError:
        return False


def check_genai(requested: bool, env: Mapping[str, str]) -> Check:
    """Which GenAI configuration is in effect and where each part comes from (``oci_inventory.genai.config``:
    environment, then ``~/.config/oci-inv/genai.yaml``, then ``./.local/genai.yaml``); FAIL only with --genai."""
    from oci_inventory.util.errors import ConfigError

    try:
        from oci_inventory.genai.config import load_genai_config
    except ImportError:  # an oci-inv without the GenAI summary: say where a configuration would be found
        source, _ = genai_source(env)
        return Check("genai", OK, f"from {source}" if source != "none" else "not configured")
    places = " or ".join(str(p) for p in genai_config_places())
    try:
        config = load_genai_config(env)
    except ConfigError as exc:
        status = FAIL if requested else WARN
        return Check("genai", status, exc.user_line(), "fix the GenAI configuration (docs/genai.md)")
    if config is None:
        if requested:
            return Check("genai", FAIL, "no GenAI configuration", f"set {GENAI_ENV_PREFIX}MODEL_ID or write {places}")
        return Check("genai", OK, "not configured (only the GenAI summary needs it)")
    used = sorted({source for source in config.sources.values() if source != "default"})
    region = config.region or "the home region"
    return Check("genai", OK, f"model {visible(config.model_id)}, region {region}; from {'; '.join(used)}")


def check_outdir(outdir: Path) -> Check:
    """Writable (a probe file is created and removed; a missing directory: its nearest existing parent) and free
    space (WARN below 1 GiB)."""
    existing = outdir
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir():
        return Check("output directory", FAIL, f"{existing} is not a directory", "pass another --outdir")
    try:
        with tempfile.NamedTemporaryFile(dir=existing, prefix=".oci-inv-preflight-"):
            pass
    except OSError as exc:
        return Check(
            "output directory", FAIL, f"{existing} is not writable: {exc.strerror}", "pass a writable --outdir"
        )
    free = shutil.disk_usage(existing).free
    where = str(outdir) if existing == outdir else f"{outdir} (to be created in {existing})"
    detail = f"{where}, {free / (1 << 30):.1f} GiB free"
    if free < LOW_SPACE_BYTES:
        return Check("output directory", WARN, detail, "free some space: a large tenancy writes gigabytes")
    return Check("output directory", OK, detail)


def check_live(settings: _Settings, make_factory: Callable[[_Settings], ClientFactory]) -> list[Check]:
    """Sign in (tenancy name, home region), then one Search call per READY subscribed region."""
    from oci_inventory.identity import auth_summary

    try:
        factory = make_factory(settings)
        info = auth_summary(factory)
    except Exception as exc:
        line, kind = failure_line(exc)
        return [Check("sign-in", FAIL, line, _fix(kind), kind)]
    name = visible(str(info["tenancy_name"]))
    detail = f"tenancy {name} ({info['tenancy_id']}), home region {info['home_region']}, as {info['auth_method']}"
    return [Check("sign-in", OK, detail), *check_search(factory)]


def check_search(factory: ClientFactory) -> list[Check]:
    from oci_inventory.oci.regions import list_subscriptions

    subscriptions = list_subscriptions(factory)
    ready = sorted(r.name for r in subscriptions if r.status == "READY")
    waiting = sorted(f"{r.name} ({r.status})" for r in subscriptions if r.status != "READY")
    with ThreadPoolExecutor(min(8, len(ready)) or 1, thread_name_prefix="preflight") as pool:
        outcomes = list(pool.map(lambda region: _search_once(factory, region), ready))
    failed = [(region, error) for region, error in zip(ready, outcomes, strict=True) if error is not None]
    checks: list[Check] = []
    if len(failed) < len(ready):
        answered = [region for region, error in zip(ready, outcomes, strict=True) if error is None]
        checks.append(Check("search", OK, f"{len(answered)} of {len(ready)} regions answer: {', '.join(answered)}"))
    all_failed = bool(ready) and len(failed) == len(ready)
    for region, (line, kind) in failed:
        if all_failed:
            checks.append(Check(f"search {region}", FAIL, line, _fix(kind), kind))
        else:
            checks.append(Check(f"search {region}", WARN, line, "a run would end partial (exit 4); " + _fix(kind)))
    if waiting:
        checks.append(
            Check("search", WARN, f"not READY, not searched: {', '.join(waiting)}", "wait for the subscription")
        )
    return checks


def _search_once(factory: ClientFactory, region: str) -> tuple[str, str] | None:
    import oci

    try:
        client = factory.client(oci.resource_search.ResourceSearchClient, region, raw=True)
        details = oci.resource_search.models.StructuredSearchDetails(type="Structured", query="query all resources")
        client.search_resources(details, limit=1)
    except Exception as exc:
        return failure_line(exc)
    return None


def failure_line(exc: BaseException) -> tuple[str, str]:
    """(one line, kind) of a sign-in or Search failure: kind ``auth``, ``unavailable`` or ``local``."""
    from oci_inventory.logging import redact
    from oci_inventory.oci.failures import failure_kind

    if isinstance(exc, OciInvError):
        code = exc.exit_code
        kind = "auth" if code == ExitCode.AUTH else "unavailable" if code == ExitCode.UNAVAILABLE else "local"
        return redact(exc.user_line()), kind
    oci_mod = sys.modules.get("oci")
    if oci_mod is not None and isinstance(exc, oci_mod.exceptions.ServiceError):
        kind = "auth" if exc.status == 401 or failure_kind(exc) == "auth" else "unavailable"
        return redact(f"{exc.status} {exc.code} on {exc.operation_name or 'a request'}"), kind
    if failure_kind(exc) == "unavailable":
        return f"cannot reach the OCI endpoint: {type(exc).__name__}", "unavailable"
    return redact(" ".join(f"{type(exc).__name__}: {exc}".split())[:200]), "local"


def _fix(kind: str) -> str:
    return {
        "auth": "check the user, key and fingerprint (or refresh the session), and the policies: read/inspect",
        "unavailable": "check the network, proxy (HTTPS_PROXY), region and --endpoint-template; see troubleshooting.md",
    }.get(kind, "see docs/troubleshooting.md")


def print_report(report: PreflightReport) -> None:
    """One line per check on stdout (plain text, OCI names made visible), then the verdict."""
    from rich.console import Console
    from rich.text import Text

    console = Console(highlight=False, soft_wrap=True)
    styles = {OK: "green", WARN: "yellow", FAIL: "bold red"}
    width = max(len(c.name) for c in report.checks)
    for check in report.checks:
        line = Text()
        line.append(f"{check.status:<4}", style=styles[check.status])
        line.append(f"  {check.name:<{width}}  {check.detail}")
        if check.fix:
            line.append(f"  -> {check.fix}", style="dim" if check.status == OK else "")
        console.print(line)
    code = report.exit_code
    fails = sum(1 for c in report.checks if c.status == FAIL)
    warns = sum(1 for c in report.checks if c.status == WARN)
    if code == ExitCode.OK:
        verdict = f"ready: a run should work ({warns} warning(s))"
    else:
        verdict = f"not ready: {fails} check(s) failed (exit {int(code)})"
    console.print(Text(verdict, style="bold"))


def main(
    settings: Any, make_factory: Callable[[Any], ClientFactory], *, fmt: str, genai: bool, auth_check: bool
) -> int:
    """``oci-inv preflight``: the report on stdout (table or JSON); the exit code says whether a run would work.
    Sign-in and Search use at most 3 attempts and 30 s per call, so a dead endpoint is reported quickly."""
    from dataclasses import replace

    from oci_inventory.render import emit_json

    quick = replace(
        settings,
        values={
            **settings.values,
            "max_attempts": min(int(settings.max_attempts), 3),
            "max_retry_time": min(float(settings.max_retry_time), 30.0),
        },
    )
    report = run_preflight(quick, make_factory, parquet=bool(settings.parquet), genai=genai, auth_check=auth_check)
    if fmt == "json":
        emit_json(report.as_json())
    else:
        print_report(report)
    return int(report.exit_code)
