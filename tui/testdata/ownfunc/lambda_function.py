def lambda_handler(event, context):
    s3 = event['Records'][0]['s3']
    print('got', s3['bucket']['name'], s3['object']['key'])
    return {'statusCode': 200, 'bucket': s3['bucket']['name'], 'key': s3['object']['key']}
