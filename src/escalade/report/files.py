"""Atomic output: a run's files appear together, whole, or not at all.

Every file of a set is first written into a hidden staging folder beside its target (same file
system, so the final renames are atomic), then the set is renamed into place with SIGINT, SIGTERM
and SIGHUP held back, so Ctrl-C, a disk that fills up or a failing writer never leaves a new
report beside an old run's tables. A target that exists and is not a regular file (a symlink, a
device, a folder) is refused before anything is written.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import shutil
import signal
import tempfile
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path

Writer = Callable[[Path], object]  # fills the file at the path it is given
_STAGING = ".escalade-staging-"
_HELD = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


class OutputError(OSError):
    """An output path that escalade will not write to."""


def publish(folder: str | Path, writers: Mapping[str, Writer]) -> list[Path]:
    """Write each named file of the set with its writer, then move the set into ``folder`` at once."""
    folder = Path(folder)
    targets = [folder / name for name in writers]
    for target in targets:
        _check_target(target)
    folder.mkdir(parents=True, exist_ok=True)
    _remove_stale_staging(folder)
    staging = Path(tempfile.mkdtemp(dir=folder, prefix=f"{_STAGING}{os.getpid()}-"))
    try:
        for name, writer in writers.items():
            staged = staging / name
            writer(staged)
            os.chmod(staged, 0o644)  # files made by mkstemp-like helpers are owner-only
            with open(staged, "rb") as handle:
                os.fsync(handle.fileno())
        with _signals_held():
            for name, target in zip(writers, targets, strict=True):
                os.replace(staging / name, target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return targets


def write_atomic(path: str | Path, text: str) -> Path:
    """Write one text file atomically (a set of one)."""
    path = Path(path)
    return publish(path.parent, {path.name: text_writer(text)})[0]


def text_writer(text: str) -> Writer:
    """A writer of UTF-8 text, for :func:`publish`."""
    return lambda staged: staged.write_text(text, encoding="utf-8")


def json_text(record: object) -> str:
    """Strict JSON (RFC 8259) of ``record``: NaN and infinities become null, numpy scalars plain numbers."""
    return json.dumps(_plain(record), indent=2, allow_nan=False) + "\n"


def _plain(value: object) -> object:
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    if hasattr(value, "item") and hasattr(value, "dtype"):  # a numpy scalar or 0-d array
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _check_target(target: Path) -> None:
    if target.is_symlink() or (target.exists() and not target.is_file()):
        kind = "a symbolic link" if target.is_symlink() else "not a regular file"
        raise OutputError(f"{target} is {kind}; escalade writes only regular files: choose another output path")
    if target.parent.exists() and not target.parent.is_dir():
        raise OutputError(f"{target.parent} is not a folder: choose another output folder")


def _remove_stale_staging(folder: Path) -> None:
    """Staging folders left by a process that was killed (SIGKILL cannot be held back)."""
    for stale in folder.glob(f"{_STAGING}*"):
        pid = stale.name.removeprefix(_STAGING).split("-")[0]
        if pid.isdigit() and not _alive(int(pid)):
            shutil.rmtree(stale, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@contextlib.contextmanager
def _signals_held() -> Iterator[None]:
    """Hold back the signals that end a run while the set is renamed into place (main thread only)."""
    try:
        previous = signal.pthread_sigmask(signal.SIG_BLOCK, _HELD)
    except (AttributeError, ValueError, OSError):  # no pthread_sigmask on this platform
        yield
        return
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)
