"""The ``crampdx`` command line (typer + rich). Entry point: :func:`main`."""

from crampdx.cli.app import app, main

__all__ = ["app", "main"]
