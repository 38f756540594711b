import gc

import pytest

from haidang.common.gcpause import frozen_heap


def test_the_heap_is_given_back_to_the_collector_after_the_work_even_when_it_fails():
    with frozen_heap():
        assert gc.get_freeze_count() > 0
    assert gc.get_freeze_count() == 0
    with pytest.raises(RuntimeError), frozen_heap():
        raise RuntimeError
    assert gc.get_freeze_count() == 0


def test_garbage_made_during_the_work_is_still_collected():
    class Node:
        pass

    with frozen_heap():
        node = Node()
        node.self = node  # a cycle: only the collector frees it
        del node
        assert gc.collect() > 0


def test_a_freeze_made_before_the_work_stays_in_place_after_it():
    gc.freeze()  # as the web server does at start
    try:
        frozen = gc.get_freeze_count()
        with frozen_heap():
            pass
        # Not `== frozen`: a frozen object freed meanwhile (by another thread of the test process) leaves
        # the count; an unfreeze would have emptied it.
        assert gc.get_freeze_count() > frozen // 2 > 0
    finally:
        gc.unfreeze()
