"""Official regional statistics (Rosstat's ЕМИСС): the table, the ЕМИСС export layout, location
quotients of regions against the country, their growth, pages, API and downloads."""
