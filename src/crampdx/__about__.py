"""The crampdx package version (single source for the build and the runtime)."""

__version__ = "0.1.0"
