from review.app import create
from review.settings import ReviewSettings
from shared.app import serve

settings = ReviewSettings()
serve(lambda: create(settings), settings, service="review", port=settings.port)
