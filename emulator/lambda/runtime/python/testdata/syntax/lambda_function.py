def lambda_handler(event, context):
    x = 1
    y = = x
    return y
