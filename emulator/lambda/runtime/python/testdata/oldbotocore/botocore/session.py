"""create_client returns a client that records its endpoint and handlers."""


class _Events(object):
    def __init__(self):
        self.handlers = []

    def register(self, event_name, handler):
        self.handlers.append((event_name, handler))


class _Meta(object):
    def __init__(self, endpoint_url):
        self.endpoint_url = endpoint_url
        self.events = _Events()


class _Client(object):
    def __init__(self, endpoint_url):
        self.meta = _Meta(endpoint_url)


class Session(object):
    def create_client(self, service_name, region_name=None, api_version=None,
                      use_ssl=True, verify=None, endpoint_url=None,
                      aws_access_key_id=None, aws_secret_access_key=None,
                      aws_session_token=None, config=None):
        return _Client(endpoint_url)
