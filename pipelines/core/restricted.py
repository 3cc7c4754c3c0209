"""Keeping the restricted store private on a shared office server.

The warehouse holds the ID number and name of every registered person, and the county
worklists hold them for the flagged records, so both are created owner-only (folders
0700, files 0600) whatever the caller's umask. A county's worklists sit in a folder of
their own: an office grants one county's steward that folder alone
(docs/restricted-store.md), and a file written into a county folder the office has opened
to a group gets read access for that group, never for others. An existing restricted folder that any
other account can read is refused unless the office says it is intended.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

PRIVATE_FOLDER = 0o700
PRIVATE_FILE = 0o600
READABLE_BY_OTHERS = stat.S_IRGRP | stat.S_IROTH


class SharedRestrictedFolder(PermissionError):
    """A restricted folder is readable by other accounts."""


class OutsideRestrictedStore(PermissionError):
    """A file with personal data was about to be written outside the restricted store."""


def inside(root: Path, path: Path) -> Path:
    """``path`` when it lies inside ``root`` once links and ``..`` are resolved; refused
    otherwise, so that no name taken from data can write personal data elsewhere."""
    if not path.resolve().is_relative_to(root.resolve()):
        raise OutsideRestrictedStore(f"refused to write {path}: it resolves to {path.resolve()}, "
                                     f"outside the restricted folder {root}")
    return path


def private_folder(path: Path) -> Path:
    """Create ``path`` (and missing parents) owner-only; an existing folder keeps its mode."""
    missing = [p for p in (path, *path.parents) if not p.exists()]
    path.mkdir(parents=True, exist_ok=True)
    for folder in missing:
        os.chmod(folder, PRIVATE_FOLDER)
    return path


def private_file(path: Path) -> None:
    """Owner read/write, plus group read when the folder was opened to a group."""
    folder_grants_group = path.parent.stat().st_mode & stat.S_IRGRP
    os.chmod(path, PRIVATE_FILE | (stat.S_IRGRP if folder_grants_group else 0))


def refuse_shared(folders: list[Path]) -> None:
    """Raise when an existing restricted folder can be read by group or others."""
    for folder in folders:
        if folder.is_dir() and folder.stat().st_mode & READABLE_BY_OTHERS:
            mode = stat.S_IMODE(folder.stat().st_mode)
            raise SharedRestrictedFolder(
                f"the restricted folder {folder} (ID numbers and names) can be read by other "
                f"accounts (mode {mode:04o}); make it private with `chmod 700 {folder}`, or "
                "pass --allow-shared-warehouse if sharing it is intended")
