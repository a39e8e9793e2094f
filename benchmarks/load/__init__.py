"""The load test: locust against gunicorn and one ``scc worker`` on PostgreSQL (issue 7)."""
