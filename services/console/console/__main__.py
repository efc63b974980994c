from console.app import create
from console.settings import ConsoleSettings
from shared.app import serve

settings = ConsoleSettings()
serve(lambda: create(settings), settings, service="console", port=settings.port)
