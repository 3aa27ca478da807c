"""Headers whose value is one token from the config, or a yes/no switch."""

from __future__ import annotations

from ..config import Config


def cross_origin_opener_policy_value(config: Config) -> str | None:
    """The ``cross_origin_opener_policy`` token, or ``None`` when off."""
    return _token(config.cross_origin_opener_policy)


def cross_origin_embedder_policy_value(config: Config) -> str | None:
    """The ``cross_origin_embedder_policy`` token, or ``None`` when off."""
    return _token(config.cross_origin_embedder_policy)


def cross_origin_resource_policy_value(config: Config) -> str | None:
    """The ``cross_origin_resource_policy`` token, or ``None`` when off."""
    return _token(config.cross_origin_resource_policy)


def x_permitted_cross_domain_policies_value(config: Config) -> str | None:
    """The ``x_permitted_cross_domain_policies`` token, or ``None`` when off."""
    return _token(config.x_permitted_cross_domain_policies)


def x_download_options_value(config: Config) -> str | None:
    """``noopen``: old Internet Explorer does not open downloads in the site."""
    return _token(config.x_download_options)


def cache_control_value(config: Config) -> str | None:
    """The ``cache_control`` value (an app-set Cache-Control wins over it)."""
    return _token(config.cache_control)


def origin_agent_cluster_value(config: Config) -> str | None:
    """``?1`` asks for an origin-keyed agent cluster, ``?0`` opts out of it."""
    return _switch(config.origin_agent_cluster, "?1", "?0")


def x_dns_prefetch_control_value(config: Config) -> str | None:
    """``on`` or ``off`` as ``x_dns_prefetch_control`` says; ``None``: no header."""
    return _switch(config.x_dns_prefetch_control, "on", "off")


def _token(setting: str | bool) -> str | None:
    return setting if isinstance(setting, str) else None


def _switch(setting: bool | None, on: str, off: str) -> str | None:
    return None if setting is None else on if setting else off
