"""Where the PyInstaller bundle is, whether it is older than the sources, and building it.

Shared by the smoke test and ``benchmarks/bench_bundle.py``. A bundle newer
than every source file (package, resources, spec, entry script, pyproject) is
reused; otherwise ``bash build/build.sh`` builds it (1.5 to 5 minutes on a
2-core machine, so the smoke test builds only when ``INTAKE_BUNDLE_SMOKE=1``).
"""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DIST = ROOT / "build" / "dist" / "intake-app"
EXECUTABLE = DIST / ("intake-app.exe" if os.name == "nt" else "intake-app")
OPT_IN_ENV = "INTAKE_BUNDLE_SMOKE"


def source_files() -> list[Path]:
    files = [p for p in (ROOT / "intake_app").rglob("*") if p.is_file() and "__pycache__" not in p.parts]
    files += [p for p in (ROOT / "resources").rglob("*") if p.is_file()]
    files += [ROOT / "build" / "intake_app.spec", ROOT / "build" / "entry.py", ROOT / "pyproject.toml"]
    return [p for p in files if p.exists()]


def newest_source() -> tuple[float, Path]:
    return max((p.stat().st_mtime, p) for p in source_files())


def is_fresh() -> bool:
    """True when the built executable is newer than every source file."""
    if not EXECUTABLE.is_file():
        return False
    return EXECUTABLE.stat().st_mtime >= newest_source()[0]


def stale_reason() -> str:
    if not EXECUTABLE.is_file():
        return f"{EXECUTABLE.relative_to(ROOT)} is not built"
    _, path = newest_source()
    return f"{path.relative_to(ROOT)} changed after the bundle was built"


def build(timeout: float = 1800) -> float:
    """Run ``build/build.sh``; returns its duration in seconds. Raises with the log tail on failure."""
    start = time.monotonic()
    result = subprocess.run(["bash", str(ROOT / "build" / "build.sh")], cwd=ROOT, capture_output=True, text=True,
                            timeout=timeout)
    if result.returncode != 0:
        tail = "\n".join((result.stdout + result.stderr).splitlines()[-40:])
        raise RuntimeError(f"build/build.sh failed (exit {result.returncode}):\n{tail}")
    return time.monotonic() - start


def du_bytes(path: Path = DIST) -> int:
    """Apparent size of the onedir folder (what ``du -sb`` reports)."""
    return sum(p.lstat().st_size for p in path.rglob("*") if p.is_file() or p.is_symlink())
