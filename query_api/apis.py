"""The Query API over HTTP: POST /api/v3/query (JSON), POST /api/v3/query/export (CSV),
GET /api/v3/metrics (discovery) and POST /api/v3/auth/tokens (OAuth 2 client credentials).

Every error answers ``{"errors": [{"path", "code", "message"}]}``: a 400 names each problem of the
body by JSON path; 401 (with ``WWW-Authenticate``), 403, 405, 413 and 429 (with ``Retry-After``)
use the same shape.
"""

from __future__ import annotations

import json

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpResponse, RawPostDataException
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_serializer,
    inline_serializer,
)
from oauth2_provider.oauth2_backends import OAuthLibCore
from oauth2_provider.views import TokenView
from oauthlib.oauth2 import BackendApplicationServer
from rest_framework import exceptions, serializers, status
from rest_framework.authentication import SessionAuthentication
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.parsers import BaseParser
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView, exception_handler

from .auth import HasQueryAccess, QueryApiKeyAuthentication, QueryApiKeyThrottle, TokenRequestThrottle
from .query import (
    DEFAULT_LIMIT,
    MAX_LIMIT,
    QueryInvalid,
    QueryProblem,
    QueryTimeout,
    parse_query,
    read_json_body,
)
from .registry import QueryObject, load_catalog
from .services import CSV_HEADERS, query_result_csv, query_run


class AlwaysJSON(BaseContentNegotiation):
    """Answers are JSON (or the export's CSV) whatever ``Accept`` says: never a 406."""

    def select_parser(self, request, parsers):
        return parsers[0] if parsers else None

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


def problems_response(
    problems: list[QueryProblem], status_code: int = status.HTTP_400_BAD_REQUEST, headers=None
) -> Response:
    return Response(
        {"errors": [problem.as_dict() for problem in problems]}, status=status_code, headers=headers
    )


def query_api_exception_handler(exc, context):
    """DRF's statuses and headers (WWW-Authenticate, Retry-After, Allow), in the Query API's error shape."""
    if isinstance(exc, QueryInvalid):
        return problems_response(exc.problems)
    if isinstance(exc, QueryTimeout):
        return problems_response(exc.problems, status.HTTP_504_GATEWAY_TIMEOUT)
    response = exception_handler(exc, context)
    if response is None:
        return None
    codes = {
        401: "not_authenticated",
        403: "permission_denied",
        404: "not_found",
        405: "method_not_allowed",
        429: "throttled",
    }
    code = codes.get(response.status_code, getattr(exc, "default_code", "error"))
    detail = getattr(exc, "detail", "")
    message = str(detail) if not isinstance(detail, (list, dict)) else json.dumps(detail)
    if isinstance(exc, exceptions.Throttled) and exc.wait is not None:
        message = f"Too many requests; retry in {int(exc.wait) + 1} seconds."
    if response.status_code == 401:
        message += " Send Authorization: Bearer <token> (POST /api/v3/auth/tokens gives one) or sign in."
    response.data = {"errors": [QueryProblem("", code, message).as_dict()]}
    return response


class UnreadBody(BaseParser):
    """Leaves the body unread for ``QueryApiView.read_body`` (DRF would parse it when the CSRF
    check of a session request looks at ``request.POST``)."""

    media_type = "*/*"

    def parse(self, stream, media_type=None, parser_context=None):
        return {}


class QueryApiView(APIView):
    """Shared plumbing: bearer token or session, the ``query`` scope, the per-key throttle, JSON errors."""

    authentication_classes = [QueryApiKeyAuthentication, SessionAuthentication]
    permission_classes = [HasQueryAccess]
    throttle_classes = [QueryApiKeyThrottle]
    renderer_classes = [JSONRenderer]
    content_negotiation_class = AlwaysJSON
    parser_classes = [UnreadBody]

    def get_exception_handler(self):
        return query_api_exception_handler

    def read_body(self, request):
        """The JSON body, read here (not by DRF's parsers) so every problem gets a path and a 400."""
        try:
            raw = _raw_body(request._request)
        except RequestDataTooBig:
            raise _TooLarge() from None
        except RawPostDataException:
            raise QueryInvalid(  # noqa: B904 - the caller's mistake, not a chained error
                [
                    QueryProblem(
                        "",
                        "invalid_body",
                        "Send the query as a JSON object (Content-Type: application/json), not a form.",
                    )
                ]
            )
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise QueryInvalid(
                [QueryProblem("", "invalid_json", "The body is not valid JSON: it is not UTF-8 text.")]
            ) from None
        return read_json_body(text)


def _raw_body(request) -> bytes:
    """The request body, also when it came with ``Transfer-Encoding: chunked`` and no Content-Length
    (Django then reads nothing; the WSGI server has already joined the chunks)."""
    chunked = "chunked" in request.META.get("HTTP_TRANSFER_ENCODING", "").lower()
    if not chunked or request.META.get("CONTENT_LENGTH") not in (None, ""):
        return request.body
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    stream, parts, size = request.META["wsgi.input"], [], 0
    while True:
        part = stream.read(64 * 1024)
        if not part:
            return b"".join(parts)
        size += len(part)
        if limit is not None and size > limit:
            raise RequestDataTooBig()
        parts.append(part)


class _TooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "The body is too large; send a smaller query."
    default_code = "too_large"


# --- OpenAPI: the documented shapes ----------------------------------------------------------
ERROR_SCHEMA = inline_serializer(
    "QueryErrors",
    {
        "errors": serializers.ListField(
            child=inline_serializer(
                "QueryError",
                {
                    "path": serializers.CharField(
                        help_text='JSON path of the problem, e.g. columns[2].variation_id; "" for the whole body.'
                    ),
                    "code": serializers.CharField(
                        help_text="unknown_slug, invalid_variation, operator_not_supported, invalid_value, malformed_node, ..."
                    ),
                    "message": serializers.CharField(help_text="What is wrong and how to fix it."),
                },
            )
        )
    },
)
SEED_EXAMPLES = [
    OpenApiExample(
        "Using variations (the reference's example, object inferred)",
        value={
            "columns": [
                {"slug": "ootb_emails_sent", "variation_id": "ootb_emails_sent_current_quarter"},
                {"slug": "ootb_meetings_booked", "variation_id": "ootb_meetings_booked_last_30_days"},
            ]
        },
        request_only=True,
    ),
    OpenApiExample(
        "Time-based metric syntax (the reference's example)",
        value={
            "object": "user",
            "columns": [
                {
                    "slug": "ootb_user_count_emails_sent",
                    "variation_id": "ootb_user_count_emails_sent_last_30_days",
                }
            ],
        },
        request_only=True,
    ),
    OpenApiExample(
        "Filter, sort and page",
        value={
            "object": "account",
            "columns": [
                {"slug": "ootb_account_name"},
                {"slug": "ootb_emails_sent", "variation_id": "ootb_emails_sent_last_30_days"},
                {"slug": "ootb_open_pipeline_value"},
            ],
            "filter": {
                "$and": [
                    {"attribute": {"slug": "industry"}, "clause": {"$in": ["Technology", "Healthcare"]}},
                    {
                        "attribute": {
                            "slug": "ootb_emails_sent",
                            "variation_id": "ootb_emails_sent_last_30_days",
                        },
                        "clause": {"$gte": 10, "$lte": 20},
                    },
                    {"attribute": {"slug": "crm_account_owner"}, "clause": {"$exists": True}},
                ]
            },
            "sort": [{"attribute": {"slug": "ootb_open_pipeline_value"}, "direction": "desc"}],
            "limit": 100,
            "offset": 0,
        },
        request_only=True,
    ),
    OpenApiExample(
        "The mistake the reference warns about",
        value={
            "errors": [
                {
                    "path": "columns[0].variation_id",
                    "code": "invalid_variation",
                    "message": 'Use the full slug + period: "ootb_emails_sent_last_30_days", not "last_30_days".',
                }
            ]
        },
        response_only=True,
        status_codes=["400"],
    ),
]
QUERY_REQUEST = inline_serializer(
    "QueryRequest",
    {
        "object": serializers.ChoiceField(
            choices=[o.value for o in QueryObject],
            required=False,
            help_text="Inferred from the slugs when they leave one choice.",
        ),
        "columns": serializers.ListField(
            child=serializers.DictField(), help_text='[{"slug": "...", "variation_id": "{slug}_{period}"}]'
        ),
        "filter": serializers.DictField(
            required=False,
            help_text='{"attribute": {...}, "clause": {"$gte": 10}} or {"$and"|"$or": [...]} or {"$not": {...}}',
        ),
        "sort": serializers.ListField(
            child=serializers.DictField(),
            required=False,
            help_text='[{"attribute": {"slug": "..."}, "direction": "asc"|"desc"}]',
        ),
        "limit": serializers.IntegerField(
            required=False, min_value=0, max_value=MAX_LIMIT, default=DEFAULT_LIMIT
        ),
        "offset": serializers.IntegerField(required=False, min_value=0, default=0),
    },
)


class QueryApi(QueryApiView):
    """Run a query: columns of metrics for every account, opportunity or user that passes the filter."""

    @extend_schema_serializer(component_name="QueryResponse")
    class OutputSerializer(serializers.Serializer):
        columns = serializers.ListField(
            child=inline_serializer(
                "QueryColumn",
                {
                    "id": serializers.CharField(help_text="The key of this column in each row."),
                    "slug": serializers.CharField(),
                    "variation": serializers.CharField(allow_null=True),
                    "label": serializers.CharField(),
                    "type": serializers.ChoiceField(choices=["string", "number", "boolean", "date"]),
                },
            )
        )
        rows = serializers.ListField(
            child=serializers.DictField(), help_text="One object per record, keyed by column id."
        )
        total = serializers.IntegerField(help_text="How many records pass the filter, in all.")
        limit = serializers.IntegerField()
        offset = serializers.IntegerField()

    @extend_schema(
        operation_id="query_run",
        request=QUERY_REQUEST,
        responses={200: OutputSerializer, 400: ERROR_SCHEMA, 401: ERROR_SCHEMA, 429: ERROR_SCHEMA},
        examples=SEED_EXAMPLES,
        tags=["Query API"],
    )
    def post(self, request):
        result = query_run(body=self.read_body(request))
        return Response(result.as_dict())


class QueryExportApi(QueryApiView):
    """The same query, answered as CSV: a header row (slugs, or ?header=labels / ids), then the rows."""

    @extend_schema(
        operation_id="query_export",
        request=QUERY_REQUEST,
        parameters=[
            OpenApiParameter(
                "header",
                str,
                enum=list(CSV_HEADERS),
                default="slugs",
                description="What the header row names.",
            )
        ],
        responses={
            (200, "text/csv"): OpenApiResponse(description="CSV with a header row."),
            400: ERROR_SCHEMA,
            401: ERROR_SCHEMA,
            429: ERROR_SCHEMA,
        },
        examples=SEED_EXAMPLES[:3],
        tags=["Query API"],
    )
    def post(self, request):
        header = request.query_params.get("header", "slugs")
        body = self.read_body(request)
        if header not in CSV_HEADERS:
            problems = [
                QueryProblem(
                    "query.header",
                    "invalid_value",
                    f'"header" is one of {", ".join(CSV_HEADERS)}, not "{header}".',
                )
            ]
            try:
                parse_query(body, catalog=load_catalog())
            except QueryInvalid as error:
                problems += error.problems
            raise QueryInvalid(problems)
        result = query_run(body=body)
        response = HttpResponse(
            query_result_csv(result=result, header=header), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = (
            f'attachment; filename="backstory-{result.columns[0].metric.object.value}s.csv"'
        )
        response["X-Total-Count"] = str(result.total)
        return response


class MetricListApi(QueryApiView):
    """Every metric slug this instance serves (?object= to narrow), with type, variations and definition."""

    @extend_schema_serializer(component_name="Metric")
    class OutputSerializer(serializers.Serializer):
        slug = serializers.CharField()
        object = serializers.CharField(source="object.value")
        family = serializers.CharField()
        label = serializers.CharField()
        type = serializers.CharField(source="data_type.value")
        definition = serializers.CharField()
        variations = serializers.SerializerMethodField()
        default_variation = serializers.SerializerMethodField()
        range = serializers.SerializerMethodField()
        values = serializers.ListField(child=serializers.CharField())
        alias_of = serializers.CharField(allow_null=True)
        source = serializers.CharField()
        available = serializers.SerializerMethodField(
            help_text="False for a derived metric whose formula no longer holds: querying it is a 400."
        )
        problem = serializers.SerializerMethodField(help_text="Why it is unavailable, or null.")

        def get_variations(self, metric) -> list[str]:
            # A value with no periods still accepts {slug}_current (and the bare slug).
            return list(metric.variation_ids)

        def get_default_variation(self, metric) -> str:
            return metric.variation_id(metric.default_period)

        def get_available(self, metric) -> bool:
            return self.get_problem(metric) is None

        def get_problem(self, metric) -> str | None:
            return self.context["catalog"].problem(metric)

        def get_range(self, metric) -> list[int] | None:
            return list(metric.value_range) if metric.value_range else None

    @extend_schema(
        operation_id="metrics_list",
        parameters=[
            OpenApiParameter(
                "object", str, enum=[o.value for o in QueryObject], description="Only this object's metrics."
            )
        ],
        responses={
            200: inline_serializer("MetricList", {"metrics": OutputSerializer(many=True)}),
            400: ERROR_SCHEMA,
            401: ERROR_SCHEMA,
        },
        tags=["Query API"],
    )
    def get(self, request):
        name = request.query_params.get("object")
        names = [o.value for o in QueryObject]
        if name is not None and name not in names:
            raise QueryInvalid(
                [
                    QueryProblem(
                        "query.object",
                        "unknown_object",
                        f'"object" is one of {", ".join(names)}, not "{name}".',
                    )
                ]
            )
        catalog = load_catalog()
        metrics = catalog.metrics(QueryObject(name) if name else None)
        serialized = self.OutputSerializer(metrics, many=True, context={"catalog": catalog})
        return Response({"metrics": serialized.data})


# --- OAuth 2 client credentials ----------------------------------------------------------------
class _FormOrJsonBody(OAuthLibCore):
    """Token requests as a form (RFC 6749) or as a JSON object; ``grant_type`` defaults to client_credentials."""

    def extract_body(self, request):
        if request.content_type == "application/json":
            try:
                data = json.loads(request.body.decode("utf-8") or "{}")
            except (UnicodeDecodeError, ValueError, RecursionError):
                data = None
            if not isinstance(data, dict):
                return [("grant_type", "client_credentials")]
            pairs = [(str(key), value) for key, value in data.items() if isinstance(value, str)]
        else:
            pairs = list(super().extract_body(request))
        if not any(key == "grant_type" for key, _ in pairs):
            pairs.append(("grant_type", "client_credentials"))
        return pairs


class _ClientCredentialsTokenView(TokenView):
    """DOT's token endpoint restricted to client credentials (oauthlib's ``BackendApplicationServer``),
    reading a form, a JSON body or HTTP Basic; errors also carry the Query API's ``errors`` list."""

    server_class = BackendApplicationServer
    oauthlib_backend_class = _FormOrJsonBody

    def post(self, request, *args, **kwargs):
        response = super().post(request, *args, **kwargs)
        if response.status_code >= 400:
            try:
                body = json.loads(response.content or b"{}")
            except ValueError:
                body = {}
            error = body.get("error", "invalid_request")
            description = body.get("error_description") or _TOKEN_ERRORS.get(
                error, "The token request was refused."
            )
            body.update({"error": error, "errors": [QueryProblem("", error, description).as_dict()]})
            response.content = json.dumps(body).encode()
            response["Content-Type"] = "application/json"
        return response


_token_endpoint = csrf_exempt(_ClientCredentialsTokenView.as_view())


class TokenApi(APIView):
    """POST /api/v3/auth/tokens: a Query API key's client id and secret in, a bearer token out.

    Errors follow RFC 6749 §5.2 (``error``, ``error_description``: 401 invalid_client for an unknown
    id, a wrong secret or a revoked key) and also carry the Query API's ``errors`` list.
    """

    authentication_classes: list = []
    permission_classes: list = []
    parser_classes = [UnreadBody]
    renderer_classes = [JSONRenderer]
    content_negotiation_class = AlwaysJSON
    throttle_classes = [TokenRequestThrottle]

    def get_exception_handler(self):
        return query_api_exception_handler

    @extend_schema(
        operation_id="auth_token",
        request={
            "application/x-www-form-urlencoded": inline_serializer(
                "TokenRequest",
                {
                    "grant_type": serializers.CharField(default="client_credentials"),
                    "client_id": serializers.CharField(),
                    "client_secret": serializers.CharField(),
                    "scope": serializers.CharField(required=False, default="query"),
                },
            ),
            "application/json": inline_serializer(
                "TokenRequestJSON",
                {"client_id": serializers.CharField(), "client_secret": serializers.CharField()},
            ),
        },
        responses={
            200: inline_serializer(
                "TokenResponse",
                {
                    "access_token": serializers.CharField(),
                    "token_type": serializers.CharField(default="Bearer"),
                    "expires_in": serializers.IntegerField(),
                    "scope": serializers.CharField(),
                },
            ),
            400: OpenApiResponse(
                description="invalid_request, unsupported_grant_type, invalid_scope (RFC 6749 §5.2)"
            ),
            401: OpenApiResponse(
                description="invalid_client: unknown client id, wrong secret, or a revoked key"
            ),
        },
        tags=["Authentication"],
        auth=[],
    )
    def post(self, request, *args, **kwargs):
        return _token_endpoint(request._request)


_TOKEN_ERRORS = {
    "invalid_client": "Unknown client id or wrong secret, or the key was revoked. Ask an admin for a Query API key.",
    "unsupported_grant_type": "Only grant_type=client_credentials is supported.",
    "invalid_scope": 'The only scope is "query".',
    "invalid_request": "Send client_id and client_secret (form, JSON or HTTP Basic).",
    "unauthorized_client": "This key may not use the client credentials grant; ask an admin to create a Query API key.",
}
