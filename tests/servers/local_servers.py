"""Real PostgreSQL, NATS JetStream and moto (the AWS emulator) servers for the project's tests, benchmarks
and `make cluster`: each on free loopback ports in its own temp dir, stopped and removed afterwards, even
when the process that started it dies (a watchdog process sees it go). See README.md in this folder.

    from local_servers import MotoServer, NatsServer, PostgresServer, ServerError

Each class lives in its own file; this module is the one name consumers import.
"""
from moto_server import MotoServer
from nats_server import NatsServer, read_info
from postgres_server import PostgresServer, find_bindir
from server_process import ServerError, free_port, is_alive, port_is_free

__all__ = ["MotoServer", "NatsServer", "PostgresServer", "ServerError", "find_bindir", "free_port",
           "is_alive", "port_is_free", "read_info"]
