"""tymqual: qualitative and mixed-methods analysis of interviews and surveys, Finnish-aware.

Start with ``tymqual.open_project(".")``; see README.md and ARCHITECTURE.md.
"""

from tymqual.codebook import Code, Codebook
from tymqual.errors import TymqualError, TymqualWarning
from tymqual.project import Project, init_project, open_project
from tymqual.refi import import_qdc, import_qdpx
from tymqual.surveys import Survey, read_survey

__all__ = [
    "Code",
    "Codebook",
    "Project",
    "Survey",
    "TymqualError",
    "TymqualWarning",
    "import_qdc",
    "import_qdpx",
    "init_project",
    "open_project",
    "read_survey",
]
__version__ = "0.1.0"
