"""``crampdx serve``: help, and typed errors for unusable settings (the server itself is
exercised over HTTP in tests/cdshooks)."""

from __future__ import annotations

from pathlib import Path


def test_serve_help(crampdx):
    done = crampdx("serve", "--help")
    assert done.returncode == 0
    assert "--settings" in done.stdout


def test_missing_settings_file_is_invalid_input(crampdx, tmp_path: Path):
    done = crampdx("serve", "--settings", tmp_path / "absent.yaml")
    assert done.returncode == 3
    assert "absent.yaml" in done.stderr
    assert "Traceback" not in done.stderr


def test_invalid_settings_name_the_field(crampdx, tmp_path: Path):
    settings = tmp_path / "cds.yaml"
    settings.write_text("port_of_call: 3\n")
    done = crampdx("serve", "--settings", settings)
    assert done.returncode == 3
    assert "port_of_call" in done.stderr
