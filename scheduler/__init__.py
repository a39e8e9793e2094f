"""The worker process: the deadline scheduler, its lock, and ``python -m scheduler``."""
