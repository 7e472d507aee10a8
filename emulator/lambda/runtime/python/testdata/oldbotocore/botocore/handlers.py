"""Has no add_recursion_detection_header, like botocore before 1.27."""
