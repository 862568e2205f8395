"""The JSON API under /api/v1 (django-ninja), for other systems and the staff UI; see docs/api.md."""
