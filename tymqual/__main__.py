"""``python -m tymqual`` runs the command line."""

from tymqual.cli import main

raise SystemExit(main())
