# Placeholder until the audit app lands.
def record_event(*, action, actor=None, target=None, object_type="", object_id="", unit=None, changes=None,
                 reason="", role="", request=None):
    return None
