# Typed stubs for durable_rules 2.0.28 (only what crampdx uses).
import logging

logger: logging.Logger
