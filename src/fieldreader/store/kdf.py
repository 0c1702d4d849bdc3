"""Argon2id in a forked child, so its memory never becomes the reader's.

Unlocking costs 256 MiB of Argon2id memory for about half a second. Done in the reader's own
process, that memory stays counted in its peak (and the allocator may keep it), tripling what an
old laptop sees the reader use. A forked child does the derivation, writes the 32-byte key to a
pipe and exits; the passphrase-derived memory dies with it.

Where there is no ``fork`` (Windows), or it fails, the derivation runs in this process: the
result is the same, only the memory figure differs.
"""

from __future__ import annotations

import os
import sys

import nacl.pwhash

#: Below this, the derivation is cheap enough that a fork is not worth it (tests use 8 KiB).
FORK_ABOVE_BYTES = 32 * 1024 * 1024


def argon2id(size: int, password: bytes, salt: bytes, opslimit: int, memlimit: int) -> bytes:
    """``nacl.pwhash.argon2id.kdf`` with the same arguments and errors, isolated when costly."""
    if memlimit < FORK_ABOVE_BYTES or not hasattr(os, "fork") or sys.platform == "win32":
        return _derive(size, password, salt, opslimit, memlimit)
    try:
        read_end, write_end = os.pipe()
    except OSError:
        return _derive(size, password, salt, opslimit, memlimit)
    try:
        pid = os.fork()
    except OSError:
        os.close(read_end)
        os.close(write_end)
        return _derive(size, password, salt, opslimit, memlimit)
    if pid == 0:  # the child: derive, write, leave without running any of the parent's cleanup
        os.close(read_end)
        code = 1
        try:
            key = _derive(size, password, salt, opslimit, memlimit)
            os.write(write_end, key)
            code = 0
        except BaseException:  # noqa: S110 - the exit code tells the parent
            pass
        finally:
            os._exit(code)
    os.close(write_end)
    try:
        key = _read_all(read_end, size)
    finally:
        os.close(read_end)
        _, status = os.waitpid(pid, 0)
    if os.waitstatus_to_exitcode(status) != 0 or len(key) != size:
        # The child could not allocate or was killed: try here, which raises the usual error.
        return _derive(size, password, salt, opslimit, memlimit)
    return key


def _derive(size: int, password: bytes, salt: bytes, opslimit: int, memlimit: int) -> bytes:
    return bytes(
        nacl.pwhash.argon2id.kdf(size, password, salt, opslimit=opslimit, memlimit=memlimit)
    )


def _read_all(fd: int, size: int) -> bytes:
    chunks = b""
    while len(chunks) < size:
        piece = os.read(fd, size - len(chunks))
        if not piece:
            break
        chunks += piece
    return chunks
