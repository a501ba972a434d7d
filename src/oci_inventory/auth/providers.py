"""Build one signer per run from the chosen authentication method.

``auto`` picks, in order: resource principal when ``OCI_RESOURCE_PRINCIPAL_VERSION`` is set; the config profile
when the file and profile exist (session token if the profile has ``security_token_file``, delegation token if it
has ``delegation_token_file``, API key otherwise); instance principal after a short metadata probe with no
retries. An OCI config file that was named (``--config-file``, ``OCI_CLI_CONFIG_FILE``/``OCI_CONFIG_FILE``, the
settings file) must exist: only the default ``~/.oci/config`` may be absent for ``auto`` to go on. Every failure is
an :class:`AuthError` (exit 3) that names the profile and file and never carries key material, passphrases or
tokens. A key file readable by group or others adds a warning to ``AuthContext.warnings``, as the OCI CLI does.
"""

from __future__ import annotations

import configparser
import os
import stat
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from oci_inventory import __version__
from oci_inventory.util.errors import AuthError, ConfigError

USER_AGENT = f"oci-inv/{__version__}"
METADATA_ENV = "OCI_METADATA_BASE_URL"
PROBE_TIMEOUT_S = 1.5
SUPPRESS_PERMISSIONS_ENV = "OCI_CLI_SUPPRESS_FILE_PERMISSIONS_WARNING"


@dataclass
class AuthContext:
    """Everything a client factory needs to talk to OCI as one principal."""

    method: str
    signer: Any
    client_config: dict[str, Any]
    tenancy_id: str
    region: str
    principal: str
    profile: str | None = None
    config_file: str | None = None
    fingerprint: str | None = None
    details: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)  # one line each, for the CLI to print on stderr


def _where(profile: str, config_file: str) -> str:
    return f"profile [{profile}] in {config_file}"


def _read_text(path: str, what: str, profile: str, config_file: str) -> str:
    p = Path(path).expanduser()
    try:
        return p.read_text(encoding="utf-8").strip()
    except OSError as exc:
        raise AuthError(
            f"cannot read {what} {p} named by {_where(profile, config_file)}: {exc.strerror}",
            hint="check the path in the profile or refresh it (e.g. 'oci session refresh')",
        ) from None


def _load_profile(config_file: str, profile: str, named_by: str | None = None) -> dict[str, Any]:
    import oci

    path = Path(config_file).expanduser()
    if not path.is_file():
        source = f" (named by {named_by})" if named_by else ""
        raise AuthError(
            f"OCI config file {path}{source} not found",
            hint="create it with 'oci setup config', pass --config-file, or choose another --auth method",
        )
    try:
        with open(path, "rb"):
            pass
    except OSError as exc:
        raise AuthError(
            f"cannot read the OCI config file {path}: {exc.strerror}", hint="check its owner and permissions"
        ) from None
    try:
        return dict(oci.config.from_file(str(path), profile))
    except configparser.Error as exc:
        raise AuthError(
            f"{path} is not a valid OCI config file: {_first_line(exc)}",
            hint="it needs a [DEFAULT] or [PROFILE] section header before the key = value lines",
        ) from None
    except oci.exceptions.ProfileNotFound:
        raise AuthError(
            f"profile [{profile}] not found in {path}",
            hint="pass --profile with a profile that exists in the file",
        ) from None
    except (oci.exceptions.InvalidKeyFilePath, oci.exceptions.ClientError, ValueError) as exc:
        raise AuthError(
            f"{_where(profile, str(path))} is invalid: {_first_line(exc)}",
            hint="fix the profile (see https://docs.oracle.com/iaas/Content/API/Concepts/sdkconfig.htm)",
        ) from None


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


def _load_private_key(key_file: str, pass_phrase: str | None, profile: str, config_file: str) -> Any:
    import oci

    return _with_key_errors(
        key_file, profile, config_file, lambda path: oci.signer.load_private_key_from_file(path, pass_phrase)
    )


def _with_key_errors(key_file: str, profile: str, config_file: str, load: Callable[[str], Any]) -> Any:
    """Run ``load(path)`` on the key file, turning every key problem into one clear AuthError."""
    import oci

    path = Path(key_file).expanduser()
    if not path.is_file():
        raise AuthError(
            f"key file {path} named by {_where(profile, config_file)} does not exist",
            hint="fix key_file in the profile",
        )
    try:
        return load(str(path))
    except OSError as exc:
        raise AuthError(
            f"cannot read the key file {path} of {_where(profile, config_file)}: {exc.strerror}",
            hint="check its owner and permissions (chmod 600)",
        ) from None
    except oci.exceptions.MissingPrivateKeyPassphrase:
        raise AuthError(
            f"the key file {path} of {_where(profile, config_file)} is encrypted and no pass_phrase is set",
            hint="add pass_phrase to the profile",
        ) from None
    except (oci.exceptions.InvalidPrivateKey, ValueError, TypeError):
        raise AuthError(
            f"cannot load the private key {path} of {_where(profile, config_file)}: "
            "wrong pass_phrase or not a PEM private key",
            hint="check key_file and pass_phrase in the profile",
        ) from None


def key_permission_warnings(key_file: str | None) -> list[str]:
    """A warning when the key file is readable by group or others (unless the OCI CLI's suppression is set)."""
    if not key_file or os.environ.get(SUPPRESS_PERMISSIONS_ENV, "").lower() in ("1", "true", "yes"):
        return []
    path = Path(key_file).expanduser()
    try:
        mode = path.stat().st_mode
    except OSError:
        return []
    if stat.S_IMODE(mode) & 0o077:
        return [f"key file {path} is readable by group/others; chmod 600 {path}"]
    return []


def _api_key(cfg: dict[str, Any], profile: str, config_file: str) -> AuthContext:
    import oci

    for key in ("user", "fingerprint", "tenancy", "region", "key_file"):
        if not cfg.get(key):
            raise AuthError(f"{_where(profile, config_file)} has no '{key}'", hint="add it to the profile")
    signer = _with_key_errors(
        cfg["key_file"],
        profile,
        config_file,
        lambda path: oci.signer.Signer(
            cfg["tenancy"], cfg["user"], cfg["fingerprint"], path, pass_phrase=cfg.get("pass_phrase")
        ),
    )
    # The SDK validates an API-key config on every client it builds, so the non-secret keys travel along.
    client_config = {key: cfg[key] for key in ("region", "tenancy", "user", "fingerprint", "key_file") if cfg.get(key)}
    client_config["additional_user_agent"] = USER_AGENT
    return AuthContext(
        method="api_key",
        signer=signer,
        client_config=client_config,
        tenancy_id=cfg["tenancy"],
        region=cfg["region"],
        principal=cfg["user"],
        profile=profile,
        config_file=config_file,
        fingerprint=cfg["fingerprint"],
        warnings=key_permission_warnings(cfg["key_file"]),
    )


def _security_token(cfg: dict[str, Any], profile: str, config_file: str) -> AuthContext:
    import oci

    token = _read_text(cfg["security_token_file"], "security token file", profile, config_file)
    if not cfg.get("key_file"):
        raise AuthError(f"{_where(profile, config_file)} has no 'key_file'", hint="add it to the profile")
    private_key = _load_private_key(cfg["key_file"], cfg.get("pass_phrase"), profile, config_file)
    signer = oci.auth.signers.SecurityTokenSigner(token, private_key)
    region = cfg.get("region")
    tenancy = cfg.get("tenancy") or _token_claim(token, "tenant")
    if not region or not tenancy:
        raise AuthError(f"{_where(profile, config_file)} needs 'region' and 'tenancy' for session-token auth")
    return AuthContext(
        method="security_token",
        signer=signer,
        client_config={"region": region, "tenancy": tenancy, "additional_user_agent": USER_AGENT},
        tenancy_id=tenancy,
        region=region,
        principal=_token_claim(token, "sub") or "session token",
        profile=profile,
        config_file=config_file,
        warnings=key_permission_warnings(cfg["key_file"]),
    )


def _token_claim(token: str, claim: str) -> str | None:
    import jwt

    try:
        value = jwt.decode(token, options={"verify_signature": False}).get(claim)
    except Exception:
        return None
    return str(value) if value is not None else None


def metadata_base_url() -> str:
    import oci

    base = os.environ.get(METADATA_ENV)
    if base:
        return base.rstrip("/")
    return str(oci.auth.signers.InstancePrincipalsSecurityTokenSigner.DEFAULT_METADATA_URL_BASE)


def probe_instance_metadata(timeout: float = PROBE_TIMEOUT_S) -> str | None:
    """The instance's region from the metadata service, or None when there is none (no retries)."""
    request = urllib.request.Request(
        f"{metadata_base_url()}/instance/region", headers={"Authorization": "Bearer Oracle"}
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            text = response.read(256).decode("ascii", "replace").strip()
    except (urllib.error.URLError, OSError, ValueError):
        return None
    return text or None


def _federation_endpoint(endpoint_template: str | None, region: str) -> str | None:
    if not endpoint_template:
        return None
    return endpoint_template.format(service="auth", region=region).rstrip("/") + "/v1/x509"


def _instance_principal(
    endpoint_template: str | None, delegation_token: str | None = None, region_hint: str | None = None
) -> AuthContext:
    import oci

    region_hint = region_hint or probe_instance_metadata()
    if region_hint is None:
        raise AuthError(
            f"instance principal: no instance metadata service answered at {metadata_base_url()}",
            hint="run on an OCI compute instance, or use --auth api_key / security_token with an OCI config file",
        )
    region = _region_name(region_hint)
    kwargs: dict[str, Any] = {
        "federation_endpoint": _federation_endpoint(endpoint_template, region),
        "retry_strategy": oci.retry.NoneRetryStrategy(),
    }
    try:
        if delegation_token is not None:
            signer = oci.auth.signers.InstancePrincipalsDelegationTokenSigner(
                delegation_token=delegation_token, **kwargs
            )
        else:
            signer = oci.auth.signers.InstancePrincipalsSecurityTokenSigner(**kwargs)
    except Exception as exc:
        raise AuthError(
            f"instance principal sign-in failed: {_first_line(exc)}",
            hint="check that the instance belongs to a dynamic group with a policy allowing inspection",
        ) from None
    return AuthContext(
        method="instance_principal" if delegation_token is None else "delegation_token",
        signer=signer,
        client_config={"region": region, "tenancy": signer.tenancy_id, "additional_user_agent": USER_AGENT},
        tenancy_id=signer.tenancy_id,
        region=region,
        principal="instance principal",
    )


def _region_name(value: str) -> str:
    import oci

    value = value.strip().lower()
    return str(oci.regions.REGIONS_SHORT_NAMES.get(value, value))


def _resource_principal() -> AuthContext:
    import oci

    try:
        signer = oci.auth.signers.get_resource_principals_signer()
    except Exception as exc:
        raise AuthError(
            f"resource principal sign-in failed: {_first_line(exc)}",
            hint="check the OCI_RESOURCE_PRINCIPAL_* environment variables",
        ) from None
    region = _region_name(str(getattr(signer, "region", "") or os.environ.get("OCI_RESOURCE_PRINCIPAL_REGION", "")))
    tenancy = str(getattr(signer, "tenancy_id", "") or "")
    if not region or not tenancy:
        raise AuthError("resource principal token carries no region or tenancy", hint="check OCI_RESOURCE_PRINCIPAL_*")
    return AuthContext(
        method="resource_principal",
        signer=signer,
        client_config={"region": region, "tenancy": tenancy, "additional_user_agent": USER_AGENT},
        tenancy_id=tenancy,
        region=region,
        principal="resource principal",
    )


def _from_profile(cfg: dict[str, Any], profile: str, config_file: str, endpoint_template: str | None) -> AuthContext:
    if cfg.get("security_token_file"):
        return _security_token(cfg, profile, config_file)
    if cfg.get("delegation_token_file"):
        token = _read_text(cfg["delegation_token_file"], "delegation token file", profile, config_file)
        return _instance_principal(endpoint_template, delegation_token=token)
    return _api_key(cfg, profile, config_file)


def build_auth(
    method: str,
    *,
    profile: str = "DEFAULT",
    config_file: str = "~/.oci/config",
    endpoint_template: str | None = None,
    config_file_named_by: str | None = None,
) -> AuthContext:
    """Resolve ``method`` (auto, api_key, security_token, instance_principal, resource_principal) to a signer.

    ``config_file_named_by`` says where an explicitly named config file came from (``--config-file``, an env
    variable, the settings file); None means the default location, which ``auto`` may find absent.
    """
    config_path = str(Path(config_file).expanduser())
    named_by = config_file_named_by
    if method == "resource_principal":
        return _resource_principal()
    if method == "instance_principal":
        return _instance_principal(endpoint_template)
    if method == "api_key":
        cfg = _load_profile(config_path, profile, named_by)
        if cfg.get("delegation_token_file") and not cfg.get("user"):
            return _from_profile(cfg, profile, config_path, endpoint_template)
        return _api_key(cfg, profile, config_path)
    if method == "security_token":
        cfg = _load_profile(config_path, profile, named_by)
        if not cfg.get("security_token_file"):
            raise AuthError(
                f"{_where(profile, config_path)} has no security_token_file",
                hint="run 'oci session authenticate' or choose another --auth method",
            )
        return _security_token(cfg, profile, config_path)
    if method != "auto":
        raise ConfigError(
            f"unknown auth method '{method}'",
            hint="use auto, api_key, security_token, instance_principal or resource_principal",
        )
    if os.environ.get("OCI_RESOURCE_PRINCIPAL_VERSION"):
        return _resource_principal()
    if named_by is not None or Path(config_path).is_file():  # a named file must exist: no silent fallback
        cfg = _load_profile(config_path, profile, named_by)
        return _from_profile(cfg, profile, config_path, endpoint_template)
    region = probe_instance_metadata()
    if region is not None:
        return _instance_principal(endpoint_template, region_hint=region)
    raise AuthError(
        f"no credentials found: no OCI config file at {config_path}, no resource principal environment, "
        "and no instance metadata service",
        hint="run 'oci setup config' or pass --config-file/--profile",
    )
