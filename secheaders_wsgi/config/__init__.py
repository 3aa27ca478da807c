"""Everything that validates: a dict or a YAML file in, a frozen :class:`Config` out.

- :mod:`.load`: presets, per-path rules; :func:`load_config`.
- :mod:`.yaml_file`: reading a YAML file, bounded, with the line of each key.
- :mod:`.model`: :class:`Config`, each field beside its check.
- :mod:`.values`, :mod:`.keys`, :mod:`.csp_keys`: the checks of single keys.
- :mod:`.csp_grammar`, :mod:`.permissions_grammar`: the two header grammars.
- :mod:`.combinations`: checks across keys, warnings for risky settings.
- :mod:`.presets`: ``preset: strict`` and the default CSP.
"""

from __future__ import annotations

from .load import ConfigSource, load_config
from .model import KEYS, Config
from .values import Directive, Sources

__all__ = ["KEYS", "Config", "ConfigSource", "Directive", "Sources", "load_config"]
