from logistics.app import create
from logistics.settings import LogisticsSettings
from shared.app import serve

settings = LogisticsSettings()
serve(lambda: create(settings), settings, service="logistics", port=settings.port)
