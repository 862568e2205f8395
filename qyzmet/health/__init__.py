"""Health care services of the Mangystau 2015 acts: doctors' schedules and slots, appointments and home
calls (issue 12)."""
