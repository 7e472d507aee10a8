from PIL import Image

def lambda_handler(event, context):
    return Image.__name__
