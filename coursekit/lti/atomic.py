"""Files written so that a crash leaves the old version or the new one, never half of either.

- `write_durably`: a new file, its bytes on the disk before it is used (fsync);
- `publish`: a folder built under a temporary name moved into place by one rename, then its parent
  synced (the rename itself survives a crash);
- `exchange`: two folders swap names in one step (Linux renameat2 with RENAME_EXCHANGE), so a
  reader of submitted/<student> sees the old submission or the new one, never none.  Where the call
  or the file system lacks it, two renames, with a moment in between when the name is absent.
"""

import ctypes
import errno
import os
from pathlib import Path

AT_FDCWD = -100
RENAME_EXCHANGE = 2


def write_durably(path, data):
    """Create `path` (it must not exist) with `data`, synced to the disk."""
    with open(path, "xb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())


def sync_folder(path):
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def sync_tree(root):
    """fsync every folder below `root` and `root` itself (its files were written by write_durably)."""
    for folder, _, _ in os.walk(root, topdown=False):
        sync_folder(folder)


def publish(built, target):
    """Move the finished folder `built` to the new name `target` (which must not exist) in one rename."""
    Path(target).parent.mkdir(parents=True, exist_ok=True)
    os.rename(built, target)
    sync_folder(Path(target).parent)


def _libc_exchange(a, b):
    libc = ctypes.CDLL(None, use_errno=True)
    renameat2 = getattr(libc, "renameat2", None)
    if renameat2 is None:
        return errno.ENOSYS
    if renameat2(AT_FDCWD, os.fsencode(a), AT_FDCWD, os.fsencode(b), RENAME_EXCHANGE) == 0:
        return 0
    return ctypes.get_errno()


def exchange(a, b):
    """Swap the folders `a` and `b` (both must exist); True when it happened in one step."""
    failed = _libc_exchange(a, b)
    if failed == 0:
        sync_folder(Path(b).parent)
        return True
    if failed not in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP):
        raise OSError(failed, os.strerror(failed), str(a), None, str(b))
    parked = Path(a).with_name(Path(a).name + ".old")
    os.rename(b, parked)
    os.rename(a, b)
    os.rename(parked, a)
    sync_folder(Path(b).parent)
    return False
