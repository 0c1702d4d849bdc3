"""Transport tests with real servers: nginx over TLS, an intercepting proxy, microsocks."""
