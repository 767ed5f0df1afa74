"""OpenAPI: how Query API requests authenticate (OAuth 2 client credentials, or a session)."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class QueryApiKeyScheme(OpenApiAuthenticationExtension):
    target_class = "query_api.auth.QueryApiKeyAuthentication"
    name = "queryApiKey"

    def get_security_definition(self, auto_schema):
        return {
            "type": "oauth2",
            "description": "A Query API key's client id and secret (created by an admin) exchanged for a bearer token.",
            "flows": {
                "clientCredentials": {
                    "tokenUrl": "/api/v3/auth/tokens",
                    "scopes": {"query": "Run Query API queries"},
                }
            },
        }
