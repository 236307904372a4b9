"""Helping the Helpers: trauma-responsive training for peer violence interrupters."""

__version__ = "0.1.0"
