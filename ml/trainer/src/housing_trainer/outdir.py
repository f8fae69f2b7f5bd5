"""Stage outputs in a temporary sibling directory and move them into place at the end."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path


class StagedDir:
    """``StagedDir(out)`` creates ``.<name>.tmp-XXXX`` next to ``out``.

    ``commit()`` renames it to ``out`` (replacing an existing ``out``: the old
    directory is first renamed aside, then deleted, so ``out`` is at every moment
    either the complete old or the complete new output). ``discard()`` deletes it.
    """

    def __init__(self, out: Path) -> None:
        self.out = Path(out).absolute()
        self.out.parent.mkdir(parents=True, exist_ok=True)
        if self.out.exists() and not self.out.is_dir():
            raise FileExistsError(f"--out {self.out} exists and is not a directory")
        self.tmp = Path(tempfile.mkdtemp(prefix=f".{self.out.name}.tmp-", dir=self.out.parent))
        self._done = False

    def path(self, name: str) -> Path:
        return self.tmp / name

    def commit(self) -> Path:
        if self._done:
            raise RuntimeError("staged directory already committed or discarded")
        for f in self.tmp.iterdir():  # make file contents durable before the rename
            with open(f, "rb") as fh:
                os.fsync(fh.fileno())
        os.chmod(self.tmp, 0o755)  # mkdtemp creates 0700
        old = None
        if self.out.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{self.out.name}.old-", dir=self.out.parent))
            os.rename(self.out, old / "out")
        os.rename(self.tmp, self.out)
        self._done = True
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
        return self.out

    def discard(self) -> None:
        if not self._done:
            shutil.rmtree(self.tmp, ignore_errors=True)
            self._done = True
