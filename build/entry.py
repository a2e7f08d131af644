"""PyInstaller entry point: the bundle's executable is ``intake-app`` (same CLI as the installed command).

Kept outside the package so PyInstaller analyses ``intake_app`` as a package
(``python -m intake_app`` would make ``__main__`` the package's own module).
"""

import sys

from intake_app.cli import main

if __name__ == "__main__":
    sys.exit(main())
