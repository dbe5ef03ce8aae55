"""Running the city's copy: backup and restore (``backup``)."""
