"""Where the project's data files are, in a checkout and in an installed package.

In a checkout (and an editable install) the task folder and the embedded sample live at the top
of the repository (``tasks/``, ``translations/sample/``); a built wheel carries copies inside
the package (``mseed_multilingual/_tasks``, ``mseed_multilingual/_sample``), see pyproject.toml.
"""

from __future__ import annotations

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent.parent
_CHECKOUT = PACKAGE_DIR.parent


def _first_existing(*candidates: Path) -> Path:
    for path in candidates:
        if path.exists():
            return path
    raise FileNotFoundError(f"none of {[str(c) for c in candidates]} exists; is the package "
                            f"installed completely?")


def tasks_path() -> Path:
    """The folder to pass to ``lm_eval --include_path``."""
    return _first_existing(_CHECKOUT / "tasks", PACKAGE_DIR / "_tasks")


def sample_path() -> Path:
    """The embedded 14-language sample (one JSONL per language and a manifest)."""
    return _first_existing(_CHECKOUT / "translations" / "sample", PACKAGE_DIR / "_sample")


def capability_path() -> Path:
    """The project-authored multiple-choice capability check (one JSONL per language)."""
    return _first_existing(_CHECKOUT / "translations" / "capability", PACKAGE_DIR / "_capability")
