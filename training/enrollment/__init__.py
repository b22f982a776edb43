"""Teachers registering, nominations, seats, waiting lists, rosters."""
