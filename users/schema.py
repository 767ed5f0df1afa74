"""OpenAPI: how an API key authenticates (OAuth 2 client credentials; see users/api_keys.py)."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class ApiKeyScheme(OpenApiAuthenticationExtension):
    target_class = "users.api_keys.ApiKeyAuthentication"
    name = "apiKey"

    def get_security_definition(self, auto_schema):
        return {
            "type": "oauth2",
            "description": "An API key's client id and secret (created by an admin) exchanged for a bearer token.",
            "flows": {
                "clientCredentials": {
                    "tokenUrl": "/api/v3/auth/tokens",
                    "scopes": {"capture": "Capture activities for any colleague (keys an admin owns)"},
                }
            },
        }
