"""The console: web pages for operators and merchants over the services' public APIs."""
