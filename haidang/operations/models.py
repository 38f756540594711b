"""What the operations side keeps in the database: the job workers' heartbeats."""

from django.db import models


class WorkerHeartbeat(models.Model):
    """One row per job worker process, touched on every turn of its loop.

    `/readyz` reads the freshest one: when none is recent, reminders have silently stopped. Rows of
    workers that ended are left behind and pruned after a day.
    """

    worker_id = models.CharField(max_length=64, primary_key=True)
    hostname = models.CharField(max_length=255)
    pid = models.PositiveIntegerField()
    started_at = models.DateTimeField()
    seen_at = models.DateTimeField(db_index=True)

    class Meta:
        db_table = "operations_worker_heartbeat"

    def __str__(self) -> str:
        return f"{self.hostname}:{self.pid}"
