from __future__ import annotations

from pathlib import Path

import pytest

from oci_inventory.config import resolve_settings
from oci_inventory.util.errors import ConfigError


def write(tmp_path: Path, text: str, name: str = "settings.yaml") -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_defaults_when_nothing_is_set() -> None:
    s = resolve_settings({}, env={})
    assert s.query == "query all resources"
    assert s.workers_region is None and s.workers_enrich == 24 and s.search_shards == "auto"
    assert s.outdir == "out" and s.auth == "auto" and s.profile == "DEFAULT"
    assert s.sources["workers_enrich"] == "default"


def test_precedence_flag_over_env_over_file_over_default(tmp_path: Path) -> None:
    cfg = write(tmp_path, "workers_enrich: 5\nworkers-region: 2\nquery: query instance resources\noutdir: from-file\n")
    env = {"OCI_INV_WORKERS_ENRICH": "7", "OCI_INV_QUERY": "query vcn resources"}
    s = resolve_settings({"workers_enrich": 9}, config_path=cfg, env=env)
    assert (s.workers_enrich, s.sources["workers_enrich"]) == (9, "flag")
    assert (s.query, s.sources["query"]) == ("query vcn resources", "env OCI_INV_QUERY")
    assert (s.workers_region, s.sources["workers_region"]) == (2, f"file {cfg}")
    assert s.outdir == "from-file"
    assert s.sources["parquet"] == "default"


def test_json_config_file_and_oci_cli_environment_names(tmp_path: Path) -> None:
    cfg = write(tmp_path, '{"parquet": true, "regions": ["us-ashburn-1", "eu-frankfurt-1"]}', "s.json")
    env = {"OCI_CLI_PROFILE": "PROD", "OCI_CONFIG_FILE": "/x/config", "OCI_CLI_AUTH": "instance_principal"}
    s = resolve_settings({}, config_path=cfg, env=env)
    assert s.parquet is True
    assert s.regions == ["us-ashburn-1", "eu-frankfurt-1"]
    assert (s.profile, s.config_file, s.auth) == ("PROD", "/x/config", "instance_principal")
    assert s.sources["profile"] == "env OCI_CLI_PROFILE"


def test_our_environment_name_wins_over_the_oci_cli_one() -> None:
    s = resolve_settings({}, env={"OCI_INV_PROFILE": "OURS", "OCI_CLI_PROFILE": "THEIRS"})
    assert s.profile == "OURS"


def test_config_alias_means_api_key() -> None:
    assert resolve_settings({"auth": "config"}, env={}).auth == "api_key"


def test_unknown_key_names_key_and_file(tmp_path: Path) -> None:
    cfg = write(tmp_path, "workers_enrichh: 3\n")
    with pytest.raises(ConfigError) as err:
        resolve_settings({}, config_path=cfg, env={})
    line = err.value.user_line()
    assert "workers_enrichh" in line and cfg in line


@pytest.mark.parametrize(
    ("text", "needle"),
    [("workers_enrich: many\n", "workers_enrich"), ("parquet: maybe\n", "parquet"), ("auth: password\n", "auth")],
)
def test_wrong_type_names_key_and_file(tmp_path: Path, text: str, needle: str) -> None:
    cfg = write(tmp_path, text)
    with pytest.raises(ConfigError) as err:
        resolve_settings({}, config_path=cfg, env={})
    assert needle in err.value.user_line() and cfg in err.value.user_line()


def test_malformed_yaml_and_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not valid YAML"):
        resolve_settings({}, config_path=write(tmp_path, "a: [1, 2\n"), env={})
    with pytest.raises(ConfigError, match="does not exist"):
        resolve_settings({}, config_path=str(tmp_path / "nope.yaml"), env={})


def test_bad_environment_value_names_the_variable() -> None:
    with pytest.raises(ConfigError, match="OCI_INV_WORKERS_REGION"):
        resolve_settings({}, env={"OCI_INV_WORKERS_REGION": "zero"})


def test_config_show_prints_sources(cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    cfg = write(tmp_path, "outdir: /data/inv\n")
    monkeypatch.setenv("OCI_INV_WORKERS_ENRICH", "3")
    result = cli("config", "show", "--config", cfg, "--profile", "X", "--format", "json")
    assert result.code == 0, result.err
    import json

    rows = {r["setting"]: r for r in json.loads(result.out)}
    assert rows["outdir"] == {"setting": "outdir", "value": "/data/inv", "source": f"file {cfg}"}
    assert rows["workers_enrich"]["source"] == "env OCI_INV_WORKERS_ENRICH"
    assert rows["profile"]["source"] == "flag"
    assert rows["query"]["source"] == "default"
