"""A fictional municipality to try Datatorget with."""
