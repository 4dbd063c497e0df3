"""Gardien: an organisation's privacy policy, made executable under the GDPR."""

__version__ = "0.1.0"
