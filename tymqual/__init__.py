"""tymqual: qualitative and mixed-methods analysis of interviews and surveys, Finnish-aware."""

from tymqual.errors import TymqualError, TymqualWarning

__all__ = ["TymqualError", "TymqualWarning"]
__version__ = "0.1.0"
