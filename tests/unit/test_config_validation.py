"""Settings that would misbehave later are refused up front as ConfigError (exit 2), naming the value."""

from __future__ import annotations

from pathlib import Path

import pytest

from oci_inventory.config import resolve_settings
from oci_inventory.util.errors import ConfigError, ExitCode


@pytest.mark.parametrize(
    ("template", "needle"),
    [
        ("http://127.0.0.1:8080/{servce}/{region}", "{servce}"),
        ("http://127.0.0.1:8080/{}/{region}", "{}"),
        ("http://127.0.0.1:8080/{service!r}/{region}", "{service!r}"),
        ("http://127.0.0.1:8080/{service/{region}", "valid template"),
        ("127.0.0.1:8080/{service}/{region}", "http"),
        ("file:///etc/{service}", "http"),
    ],
)
def test_endpoint_template_only_takes_service_and_region(template: str, needle: str) -> None:
    with pytest.raises(ConfigError) as err:
        resolve_settings({"endpoint_template": template}, env={})
    assert needle in err.value.user_line() and "--endpoint-template" in err.value.user_line()
    assert err.value.exit_code == ExitCode.USAGE


def test_a_good_endpoint_template_passes() -> None:
    template = "https://{service}.{region}.example.com"
    assert resolve_settings({"endpoint_template": template}, env={}).endpoint_template == template


@pytest.mark.parametrize("name", ["connect_timeout", "read_timeout", "max_retry_time"])
@pytest.mark.parametrize("value", ["nan", "inf", "-inf", "-1", "0"])
def test_timeouts_must_be_finite_and_positive(name: str, value: str) -> None:
    with pytest.raises(ConfigError) as err:
        resolve_settings({}, env={f"OCI_INV_{name.upper()}": value})
    assert value in err.value.user_line() and f"OCI_INV_{name.upper()}" in err.value.user_line()


def test_a_settings_file_nested_too_deep_is_a_config_error(tmp_path: Path) -> None:
    cfg = tmp_path / "deep.json"
    cfg.write_text("[" * 10_000)
    with pytest.raises(ConfigError) as err:
        resolve_settings({}, config_path=str(cfg), env={})
    assert "nested too deeply" in err.value.user_line() and str(cfg) in err.value.user_line()


@pytest.mark.parametrize("value", ["", ",,", " , "])
def test_an_empty_region_or_compartment_list_is_refused(value: str) -> None:
    with pytest.raises(ConfigError) as err:
        resolve_settings({"regions": value}, env={})
    assert "empty region list" in err.value.user_line()
    with pytest.raises(ConfigError) as err:
        resolve_settings({"compartments": [value]}, env={})
    assert "empty compartment list" in err.value.user_line()


def test_an_empty_list_in_the_settings_file_is_refused_too(tmp_path: Path) -> None:
    cfg = tmp_path / "s.yaml"
    cfg.write_text("regions: []\n")
    with pytest.raises(ConfigError, match="empty region list"):
        resolve_settings({}, config_path=str(cfg), env={})


@pytest.mark.parametrize(
    "text",
    [
        "[DEFAULT]\nuser=ocid1.user.oc1..aaaa\nfingerprint=aa:bb\nkey_file=~/.oci/key.pem\n",
        "# my profiles\n\n[PROD]\nregion = us-ashburn-1\n",
    ],
)
def test_an_oci_config_given_as_settings_file_says_config_file(tmp_path: Path, text: str) -> None:
    cfg = tmp_path / "config"
    cfg.write_text(text)
    with pytest.raises(ConfigError) as err:
        resolve_settings({}, config_path=str(cfg), env={})
    line = err.value.user_line()
    assert f"{cfg} is an OCI config file" in line and "did you mean --config-file?" in line


def test_yaml_that_starts_with_a_list_is_not_mistaken_for_an_oci_config(tmp_path: Path) -> None:
    cfg = tmp_path / "s.yaml"
    cfg.write_text("[a, b]\n")
    with pytest.raises(ConfigError, match="must contain a mapping"):
        resolve_settings({}, config_path=str(cfg), env={})
