"""Builders for the Voila apps in ``notebooks/apps/``; each notebook calls one function."""
