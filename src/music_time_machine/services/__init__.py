"""Services: plain Python over a Store and a Spotify source. No printing, no environment, no exits."""
