"""One module per page (or family of pages); each exposes ``router``."""

from console.pages import admin, cities, data, home, invest, plans, sites, talent

ROUTERS = [
    home.router,
    cities.router,
    sites.router,
    invest.router,
    talent.router,
    plans.router,
    data.router,
    admin.router,
]
