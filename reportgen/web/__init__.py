"""`reportgen serve`: a local web page over the same pipeline (app, routes, jobs, previews, intake)."""
