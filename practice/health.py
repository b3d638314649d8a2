from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

# Once every migration is applied, it stays so for the life of this process (a new
# release starts new processes), so the migration graph is read only until then.
_schema_ready = False


def _schema_complete() -> bool:
    global _schema_ready
    if not _schema_ready:
        executor = MigrationExecutor(connection)
        _schema_ready = not executor.migration_plan(executor.loader.graph.leaf_nodes())
    return _schema_ready


@never_cache
@require_safe
def healthz(request):
    """200 when the database answers and holds the whole schema; 503 otherwise.
    For the load balancer and monitoring: a fresh database without tables is not healthy."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        if not _schema_complete():
            return HttpResponse("database schema incomplete\n", status=503, content_type="text/plain")
    except DatabaseError:
        return HttpResponse("database unavailable\n", status=503, content_type="text/plain")
    return HttpResponse("ok\n", content_type="text/plain")
