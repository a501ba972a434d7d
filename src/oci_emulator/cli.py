"""``oci-emulator serve``: run the emulator until Ctrl-C. Cheap to import (the server loads inside the command)."""

from __future__ import annotations

import pathlib
import signal
import threading
from typing import Any

import click

DEFAULT_REGIONS = "us-ashburn-1,us-phoenix-1,eu-frankfurt-1"


@click.group(help="Local emulator of the OCI REST APIs used by oci-inv (127.0.0.1 only).")
def main() -> None:
    pass


@main.command(help="Serve the emulated tenancy until interrupted (Ctrl-C).")
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    type=click.Choice(["127.0.0.1"]),
    help="Bind address (loopback only).",
)
@click.option("--port", default=8080, show_default=True, type=click.IntRange(0, 65535), help="0 picks a free port.")
@click.option("--seed", default=7, show_default=True, type=int)
@click.option("--size", default=500, show_default=True, type=click.IntRange(0), help="Number of resources.")
@click.option("--regions", default=DEFAULT_REGIONS, show_default=True, help="Comma-separated subscribed regions.")
@click.option("--home-region", default=None, help="Home region (default: the first of --regions).")
@click.option(
    "--state",
    "state_file",
    type=click.Path(exists=True, dir_okay=False, path_type=pathlib.Path),
    help="Load the tenancy model from this JSON state file (overrides --seed/--size/--regions).",
)
@click.option(
    "--save-state",
    type=click.Path(dir_okay=False, path_type=pathlib.Path),
    help="Write the tenancy model to this file at startup.",
)
@click.option(
    "--config-dir",
    default=".emulator",
    show_default=True,
    type=click.Path(file_okay=False, path_type=pathlib.Path),
    help="Where to write the OCI config and keys.",
)
def serve(
    host: str,
    port: int,
    seed: int,
    size: int,
    regions: str,
    home_region: str | None,
    state_file: pathlib.Path | None,
    save_state: pathlib.Path | None,
    config_dir: pathlib.Path,
) -> None:  # fmt: skip
    from oci_emulator.emulator import Emulator

    try:
        if state_file is not None:
            emu = Emulator.load_state(state_file, port=port)
        else:
            names = tuple(r.strip() for r in regions.split(",") if r.strip())
            emu = Emulator(seed=seed, size=size, regions=names, home_region=home_region, port=port)
    except ValueError as exc:
        raise click.UsageError(str(exc)) from exc
    if save_state is not None:
        emu.save_state(save_state)
    stop = threading.Event()

    def _on_signal(signum: int, frame: Any) -> None:
        stop.set()

    previous = {sig: signal.signal(sig, _on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
    emu.start()
    config = emu.write_oci_config(config_dir.resolve())
    click.echo(f"oci-emulator serving tenancy {emu.model.tenancy_id} ({len(emu.model.resources)} resources)")
    click.echo(f"endpoint template: {emu.endpoint_template}")
    click.echo(f"config file:       {config}  (profiles DEFAULT SESSION WRONGKEY ENCRYPTED DELEGATION)")
    click.echo("# for oci-inv / your shell:")
    click.echo(f"export OCI_INV_ENDPOINT_TEMPLATE='{emu.endpoint_template}'")
    click.echo(f"export OCI_CONFIG_FILE='{config}'")
    click.echo(f"export OCI_METADATA_BASE_URL='{emu.metadata_base_url}'")
    click.echo(f"# oci-inv ... --config-file {config} --profile DEFAULT")
    click.echo(f"# control: {emu.base_url}/_emulator/{{state,reset,mutate,faults,journal}}   (Ctrl-C to stop)")
    try:
        while not stop.wait(0.5):
            pass
    finally:
        emu.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    click.echo("oci-emulator stopped")
