"""Shared test configuration."""

# pytester runs pytest inside a test: the crampdx plugin is tested that way.
pytest_plugins = ["pytester"]
