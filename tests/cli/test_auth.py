"""Each authentication method end to end: the real SDK signer against the emulator, through the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest


def validate(cli, tenancy, *extra: str):  # type: ignore[no-untyped-def]
    return cli("validate-auth", *tenancy.args, "--format", "json", *extra)


def test_api_key(cli, tenancy) -> None:  # type: ignore[no-untyped-def]
    result = validate(cli, tenancy)
    assert result.code == 0, result.err
    info = json.loads(result.out)
    model = tenancy.emu.model
    assert info["auth_method"] == "api_key"
    assert info["tenancy_id"] == model.tenancy_id and info["tenancy_name"] == model.tenancy["name"]
    assert info["principal"] == model.api_user_id
    assert info["home_region"] == "us-ashburn-1" and info["subscribed_regions"] == 3
    assert info["profile"] == "DEFAULT" and info["config_file"] == str(tenancy.config_file)


def test_encrypted_key_with_passphrase(cli, tenancy) -> None:  # type: ignore[no-untyped-def]
    assert validate(cli, tenancy, "--profile", "ENCRYPTED").code == 0


def test_wrong_passphrase_is_exit_3_without_secrets(cli, tenancy) -> None:  # type: ignore[no-untyped-def]
    text = tenancy.config_file.read_text().replace("pass_phrase=emulator-passphrase", "pass_phrase=wrong-guess")
    tenancy.config_file.write_text(text)
    result = validate(cli, tenancy, "--profile", "ENCRYPTED")
    assert result.code == 3
    assert "ENCRYPTED" in result.err and str(tenancy.config_file) in result.err
    assert "wrong-guess" not in result.err + result.out and "Traceback" not in result.err


def test_security_token(cli, tenancy) -> None:  # type: ignore[no-untyped-def]
    result = validate(cli, tenancy, "--profile", "SESSION")
    assert result.code == 0, result.err
    assert json.loads(result.out)["auth_method"] == "security_token"
    auto = validate(cli, tenancy, "--profile", "SESSION", "--auth", "auto")
    assert json.loads(auto.out)["auth_method"] == "security_token"


def test_resource_principal(cli, tenancy, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    for name, value in tenancy.emu.resource_principal_env().items():
        monkeypatch.setenv(name, value)
    result = cli("validate-auth", "--endpoint-template", tenancy.emu.endpoint_template, "--format", "json")
    assert result.code == 0, result.err
    info = json.loads(result.out)
    assert info["auth_method"] == "resource_principal" and info["tenancy_id"] == tenancy.emu.model.tenancy_id


def test_instance_principal_through_the_emulated_metadata_service(cli, tenancy, use_metadata) -> None:  # type: ignore[no-untyped-def]
    use_metadata(tenancy.emu)
    result = cli(
        "validate-auth",
        "--auth",
        "instance_principal",
        "--endpoint-template",
        tenancy.emu.endpoint_template,
        "--format",
        "json",
    )
    assert result.code == 0, result.err
    info = json.loads(result.out)
    assert info["auth_method"] == "instance_principal" and info["tenancy_id"] == tenancy.emu.model.tenancy_id
    paths = [e.path for e in tenancy.emu.journal.entries()]
    assert any(p.startswith("/opc/v2/identity/cert.pem") for p in paths)
    assert any("/v1/x509" in p for p in paths)


def test_auto_falls_back_to_instance_principal_without_a_config_file(
    cli, tenancy, use_metadata, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    use_metadata(tenancy.emu)  # HOME is empty: the default ~/.oci/config is absent and no file is named
    result = cli(
        "validate-auth",
        "--endpoint-template",
        tenancy.emu.endpoint_template,
        "--format",
        "json",
    )
    assert result.code == 0, result.err
    assert json.loads(result.out)["auth_method"] == "instance_principal"


def test_delegation_token_profile(cli, tenancy, use_metadata) -> None:  # type: ignore[no-untyped-def]
    use_metadata(tenancy.emu)
    result = validate(cli, tenancy, "--profile", "DELEGATION")
    assert result.code == 0, result.err
    assert json.loads(result.out)["auth_method"] == "delegation_token"


def test_wrong_key_is_exit_3_with_no_key_material(cli, tenancy) -> None:  # type: ignore[no-untyped-def]
    result = validate(cli, tenancy, "--profile", "WRONGKEY")
    assert result.code == 3
    assert "WRONGKEY" in result.err and str(tenancy.config_file) in result.err
    assert len(result.err.strip().splitlines()) == 1 and "Traceback" not in result.err
    key_text = (tenancy.config_file.parent / "wrong_key.pem").read_text()
    body = "".join(key_text.strip().splitlines()[1:-1])
    for chunk in (body[:40], body[100:140], "PRIVATE KEY", "signature="):
        assert chunk not in result.err + result.out


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--profile", "NOPE"], "profile [NOPE] not found"),
        (["--config-file", "/nonexistent/config", "--auth", "api_key"], "not found"),
    ],
)
def test_missing_profile_or_file_is_exit_3(cli, tenancy, args: list[str], needle: str) -> None:  # type: ignore[no-untyped-def]
    result = cli("validate-auth", *tenancy.args, *args)
    assert result.code == 3 and needle in result.err and "Traceback" not in result.err


def test_no_credentials_anywhere_is_exit_3(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    result = cli("validate-auth")  # HOME is empty, so there is no ~/.oci/config either
    assert result.code == 3 and "no credentials found" in result.err
