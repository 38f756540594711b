"""Long work over many rows (an import's dry run and commit) without the garbage collector walking the
whole process again and again.

A long loop keeps young objects alive for a while (a chunk of rows), so they reach the oldest
generation and trigger full collections, each of which walks every object the process already held
(Django, the app's modules, caches): about a fifth of an import's time. `frozen_heap` moves what is
alive when the work starts out of the collector's sight (`gc.freeze`) and gives it back when it ends
(`gc.unfreeze`, also on error): the rows are still collected as usual; only garbage among the objects
frozen waits until the end.

A process that froze its loaded code for good at start (the web server, `config/wsgi.py`) is left as it
is: that freeze already hides what full collections walked, and unfreezing at the end of an import
would undo it for the rest of the process's life (and for the other threads' imports).
"""

import gc
from contextlib import contextmanager


@contextmanager
def frozen_heap():
    if gc.get_freeze_count():
        yield
        return
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()
