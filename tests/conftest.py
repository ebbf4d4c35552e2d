"""Test-suite configuration shared by every test folder."""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

# pytester runs pytest inside a test: the crampdx plugin is tested that way.
pytest_plugins = ["pytester"]

# Property tests have no time limit per example (CI machines are shared and slow), and on
# CI they run a fixed, reproducible set of examples so that a red build can be replayed.
settings.register_profile("default", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("ci", parent=settings.get_profile("default"), derandomize=True)
settings.load_profile("ci" if os.environ.get("CI") else "default")
