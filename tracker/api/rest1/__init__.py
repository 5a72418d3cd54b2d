"""RT REST 1.0 compatibility: what RT's `rt` command-line tool and older scripts use."""
