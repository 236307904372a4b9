"""Evaluation: read session data, analyse it, suppress small groups, report."""
