"""Leaving a tool's process without the collector's last sweep."""
import atexit
import gc

_REGISTERED = False


def freeze_objects_at_exit() -> None:
    """Let this process exit without the garbage collector's final sweep.

    When Python shuts down it runs the cyclic garbage collector over every
    object still alive. After ``import fbp_mm`` (torch, MMEngine and
    MMPretrain with it) that took 1.3-1.9 s of every tool's run on a 2-core
    machine; with this it takes 0.3 s. :func:`gc.freeze` is called at exit,
    after the program's work, so the objects alive then are left out of the
    sweep. Files are still flushed and closed and the other ``atexit``
    handlers still run (before this one); what is given up is the
    ``__del__`` of objects caught in reference cycles, which Python does not
    promise at exit anyway. Calling it twice registers once.

    Meant for the ``__main__`` block of a command-line tool, not for library
    code, which should leave the collector to the program that imports it.

    Example:
        >>> from fbp_mm.utils import freeze_objects_at_exit
        >>> freeze_objects_at_exit()  # in a tool's ``__main__`` block
    """
    global _REGISTERED
    if not _REGISTERED:
        atexit.register(gc.freeze)
        _REGISTERED = True
