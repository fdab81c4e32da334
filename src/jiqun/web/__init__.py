"""The cluster information-sharing platform: REST API (``/api/v1``) and web UI (``jiqun serve``)."""
