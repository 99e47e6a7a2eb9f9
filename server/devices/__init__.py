"""Device agents: the WebSocket that carries print jobs, acknowledgements, status and keys."""
