"""Analytics: the service-cycle map, reports, standard-risk alerts and staffing advice."""
