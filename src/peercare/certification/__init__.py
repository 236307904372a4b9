"""Train-the-trainer certification on nbgrader: course, candidates, parallel autograde,
status, decisions and certificates. See ``peercare cert --help`` and the README."""

from .course import CertError, Course

__all__ = ["CertError", "Course"]
