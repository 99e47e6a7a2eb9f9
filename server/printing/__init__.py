"""Ticket printing: print jobs, the printers the server drives, results as moments of truth."""
