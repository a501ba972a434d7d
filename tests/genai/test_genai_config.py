"""GenAI settings: environment > ~/.config/oci-inv/genai.yaml > ./.local/genai.yaml, key by key."""

from __future__ import annotations

from pathlib import Path

import pytest

from oci_inventory.genai.config import load_genai_config, require_genai_config
from oci_inventory.util.errors import ConfigError


def _files(tmp_path: Path, user: str | None, local: str | None) -> tuple[Path, Path]:
    home, cwd = tmp_path / "home", tmp_path / "work"
    if user is not None:
        (home / ".config" / "oci-inv").mkdir(parents=True)
        (home / ".config" / "oci-inv" / "genai.yaml").write_text(user)
    if local is not None:
        (cwd / ".local").mkdir(parents=True)
        (cwd / ".local" / "genai.yaml").write_text(local)
    return home, cwd


def test_precedence_is_env_then_user_file_then_local_file(tmp_path: Path) -> None:
    home, cwd = _files(
        tmp_path,
        "model_id: cohere.command-r-08-2024\nregion: us-chicago-1\nmax_tokens: 300\n",
        "model_id: meta.llama-3.3-70b-instruct\nregion: eu-frankfurt-1\ncompartment_id: ocid1.compartment.oc1..x\n"
        "temperature: 0.7\n",
    )
    env = {"OCI_INV_GENAI_MODEL_ID": "xai.grok-3"}
    config = load_genai_config(env, home=home, cwd=cwd)
    assert config is not None
    assert config.model_id == "xai.grok-3" and config.sources["model_id"] == "env OCI_INV_GENAI_MODEL_ID"
    assert config.region == "us-chicago-1" and config.max_tokens == 300  # the user file beats the local one
    assert config.compartment_id == "ocid1.compartment.oc1..x" and config.temperature == 0.7  # only the local sets them
    assert config.endpoint is None and config.sources["endpoint"] == "default"
    assert config.chat_format == "GENERIC"
    without_env = load_genai_config({}, home=home, cwd=cwd)
    assert without_env is not None and without_env.model_id == "cohere.command-r-08-2024"
    assert without_env.chat_format == "COHERE"
    only_local = load_genai_config({}, home=tmp_path / "nobody", cwd=cwd)
    assert only_local is not None and only_local.model_id == "meta.llama-3.3-70b-instruct"


def test_nothing_configured_names_the_three_places(tmp_path: Path) -> None:
    assert load_genai_config({}, home=tmp_path, cwd=tmp_path) is None
    with pytest.raises(ConfigError) as err:
        require_genai_config("--genai-summary", env={}, home=tmp_path, cwd=tmp_path)
    line = err.value.user_line()
    assert "OCI_INV_GENAI_MODEL_ID" in line and "~/.config/oci-inv/genai.yaml" in line and "./.local/genai.yaml" in line
    assert err.value.exit_code == 2


@pytest.mark.parametrize(
    ("env", "user", "message"),
    [
        ({"OCI_INV_GENAI_MAX_TOKENS": "lots"}, "model_id: x\n", "OCI_INV_GENAI_MAX_TOKENS"),
        ({"OCI_INV_GENAI_TEMPERATURE": "9"}, "model_id: x\n", "OCI_INV_GENAI_TEMPERATURE"),
        ({}, "model: x\n", "unknown key 'model'"),
        ({}, "- a list\n", "must be a mapping"),
        ({"OCI_INV_GENAI_REGION": "us-chicago-1"}, None, "no GenAI model_id"),
        ({"OCI_INV_GENAI_ENDPOINT": "ftp://x"}, "model_id: x\n", "OCI_INV_GENAI_ENDPOINT"),
    ],
)
def test_bad_settings_are_exit_2_naming_where(
    tmp_path: Path, env: dict[str, str], user: str | None, message: str
) -> None:
    home, cwd = _files(tmp_path, user, None)
    with pytest.raises(ConfigError) as err:
        load_genai_config(env, home=home, cwd=cwd)
    assert message in err.value.user_line()
