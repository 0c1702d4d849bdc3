"""fieldreader: an encrypted offline library for field staff in high-risk places."""

__version__ = "0.1.0"
__all__ = ["__version__"]
