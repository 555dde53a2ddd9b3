"""The ranking engine: plain records and arrays in, ranked and explained results out.

Nothing here imports the web layer, the store or the jobs.
"""
