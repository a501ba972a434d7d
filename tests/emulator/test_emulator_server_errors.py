"""A client that goes away mid-response is not an emulator error: nothing printed (a test that captures stderr
while another run's abandoned connection breaks would otherwise see a traceback)."""

from __future__ import annotations

import pytest

from oci_emulator import Emulator


def test_a_gone_client_is_silent_and_real_errors_still_print(capfd: pytest.CaptureFixture[str]) -> None:
    with Emulator(seed=1, size=10, regions=("us-ashburn-1",)) as emu:
        server = emu._server.server
        for gone in (BrokenPipeError(32, "Broken pipe"), ConnectionResetError(104, "reset")):
            try:
                raise gone
            except ConnectionError:
                server.handle_error(None, ("127.0.0.1", 1))
        assert capfd.readouterr().err == ""
        try:
            raise ValueError("a bug in a handler")
        except ValueError:
            server.handle_error(None, ("127.0.0.1", 1))
        assert "ValueError: a bug in a handler" in capfd.readouterr().err
