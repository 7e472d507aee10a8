"""Has no ConfiguredEndpointProvider, like botocore before 1.31."""
