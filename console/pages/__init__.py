"""One module per page (or family of pages); each exposes ``router``."""

from console.pages import cities, home

ROUTERS = [home.router, cities.router]
