from aftersales.app import create
from aftersales.settings import AftersalesSettings
from shared.app import serve

settings = AftersalesSettings()
serve(lambda: create(settings), settings, service="aftersales", port=settings.port)
