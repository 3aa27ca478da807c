"""Runnable example apps, each wrapped in ``SecureHeaders`` from ``security.yaml``."""
