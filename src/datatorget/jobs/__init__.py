"""Background jobs: a queue in the metadata database, worker threads, and the tasks they run."""
