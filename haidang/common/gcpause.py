"""Long work over many rows (an import's dry run and commit) without the garbage collector walking the
whole process again and again.

A long loop keeps young objects alive for a while (a chunk of rows), so they reach the oldest
generation and trigger full collections, each of which walks every object the process already held
(Django, the app's modules, caches): about a fifth of an import's time. `frozen_heap` moves what is
alive when the work starts out of the collector's sight (`gc.freeze`) and gives it back when it ends
(`gc.unfreeze`, also on error): the rows are still collected as usual; only garbage among the objects
frozen waits until the end.
"""

import gc
from contextlib import contextmanager


@contextmanager
def frozen_heap():
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()
