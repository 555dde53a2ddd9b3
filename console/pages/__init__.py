"""One module per page (or family of pages); each exposes ``router``."""

from console.pages import cities, home, plans, sites

ROUTERS = [home.router, cities.router, sites.router, plans.router]
