"""Operations: health checks for load balancers and the `doctor` command."""
