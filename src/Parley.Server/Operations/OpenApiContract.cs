using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Parley.Server.Operations;

/// <summary>
/// What the generated OpenAPI document cannot see by itself, so that it says what the wire carries: strings and
/// times (written by Parley's own converters) typed as strings, the problem-details errors, the WebSocket
/// endpoint and the health endpoints.
/// </summary>
internal static class OpenApiContract
{
    private const string Problem = "ProblemDetails";

    /// <summary>
    /// The fields a request body must have. Request records take every field as nullable (so that a missing one is
    /// a 400 with the field's name, not a binding failure), which the generator would list as all required.
    /// </summary>
    private static readonly Dictionary<string, string[]> RequiredInRequests = new()
    {
        ["BlockBody"] = ["userId"],
        ["CreateGroupBody"] = ["name"],
        ["DeleteAccountRequest"] = ["password"],
        ["FriendRequestBody"] = ["userId"],
        ["InviteBody"] = ["userIds"],
        ["JoinRequestBody"] = [],
        ["LoginRequest"] = ["login", "password"],
        ["MuteBody"] = ["until"],
        ["PasswordResetConfirmRequest"] = ["login", "code", "newPassword"],
        ["PasswordResetRequest"] = ["login"],
        ["ReadBody"] = ["seq"],
        ["RefreshRequest"] = ["refreshToken"],
        ["RegisterRequest"] = ["password", "nickname"],
        ["RemarkBody"] = [],
        ["RoleBody"] = ["role"],
        // `to` is required on POST /messages and optional on POST /conversations/{id}/messages (docs/messages.md).
        ["SendMessageBody"] = ["clientMsgId", "type"],
        ["SendTarget"] = [],
        ["UpdateConversationBody"] = [],
        ["UpdateGroupBody"] = [],
        ["UpdateProfileRequest"] = [],
        ["VerificationCodeRequest"] = ["email"],
    };

    public static void Configure(OpenApiOptions options)
    {
        options.AddSchemaTransformer((schema, context, _) =>
        {
            if (schema.Properties is { Count: > 0 } && RequiredInRequests.TryGetValue(context.JsonTypeInfo.Type.Name, out var required))
            {
                schema.Required = new HashSet<string>(required);
                if (context.JsonTypeInfo.Type.Name == "SendTarget") schema.Description = "Exactly one of userId, groupId or conversationId.";
            }

            // Parley's string and time converters hide the type from the generator: it writes {}.
            var type = context.JsonTypeInfo.Type;
            if (schema.Type is null && (type == typeof(string) || type == typeof(DateTimeOffset) || type == typeof(DateTimeOffset?)))
            {
                var nullable = type == typeof(DateTimeOffset?) || context.JsonPropertyInfo is { IsGetNullable: true };
                schema.Type = nullable ? JsonSchemaType.String | JsonSchemaType.Null : JsonSchemaType.String;
                if (type != typeof(string)) schema.Format = "date-time";
            }
            // A field that tells "absent" from null (Messaging's TtlSetting) has its own converter: on the wire a whole number or null.
            if (type == typeof(Messaging.TtlSetting))
            {
                schema.Type = JsonSchemaType.Integer | JsonSchemaType.Null;
                schema.Format = "int32";
                schema.Minimum = "5";
                schema.Description = "Disappearing messages, shared by the members: new messages go this many seconds after sending (at least 5); null turns it off; absent leaves it as it is. Either party of a direct conversation, or a group's owner and admins.";
            }
            // The same hides the items of a list of strings (ids, ICE urls): the generator writes no items at all.
            if (schema.Items is null && schema.Type is { } arrayType && arrayType.HasFlag(JsonSchemaType.Array) && ElementType(type) == typeof(string))
                schema.Items = new OpenApiSchema { Type = JsonSchemaType.String };
            return Task.CompletedTask;
        });

        options.AddOperationTransformer((operation, context, _) =>
        {
            var metadata = context.Description.ActionDescriptor.EndpointMetadata;
            operation.Responses ??= [];
            if (metadata.OfType<IAuthorizeData>().Any() && !metadata.OfType<IAllowAnonymous>().Any())
                operation.Responses.TryAdd("401", ProblemResponse(context.Document, "No bearer token, or a bad, expired or ended one (code `unauthorized`)."));
            operation.Responses.TryAdd("default", ProblemResponse(context.Document,
                "An error: RFC 9457 problem details with a stable `code` (400 bad input, 403 not allowed, 404 not found, 409 conflict, 413 too large, 429 too many requests; docs/errors.md)."));
            return Task.CompletedTask;
        });

        options.AddDocumentTransformer((document, _, _) =>
        {
            document.Components ??= new OpenApiComponents();
            document.Components.Schemas ??= new Dictionary<string, IOpenApiSchema>();
            document.Components.Schemas[Problem] = new OpenApiSchema
            {
                Type = JsonSchemaType.Object,
                Required = new HashSet<string> { "status", "code" },
                Properties = new Dictionary<string, IOpenApiSchema>
                {
                    ["type"] = new OpenApiSchema { Type = JsonSchemaType.String },
                    ["title"] = new OpenApiSchema { Type = JsonSchemaType.String },
                    ["status"] = new OpenApiSchema { Type = JsonSchemaType.Integer },
                    ["detail"] = new OpenApiSchema { Type = JsonSchemaType.String },
                    ["code"] = new OpenApiSchema { Type = JsonSchemaType.String, Description = "Stable and machine-readable: act on it (docs/errors.md)." },
                    ["traceId"] = new OpenApiSchema { Type = JsonSchemaType.String },
                    ["errors"] = new OpenApiSchema
                    {
                        Type = JsonSchemaType.Object,
                        Description = "With validation_failed: field name to messages.",
                        AdditionalProperties = new OpenApiSchema { Type = JsonSchemaType.Array, Items = new OpenApiSchema { Type = JsonSchemaType.String } },
                    },
                },
            };

            DescribeMessageParts(document);

            document.Paths ??= [];
            document.Paths["/healthz"] = Plain("Operations", "Liveness: 200 while the process runs.", unhealthy: false);
            document.Paths["/readyz"] = Plain("Operations", "Readiness: 200 when the database (and Redis, when configured) answers; 503 otherwise.", unhealthy: true);
            document.Paths["/ws"] = new OpenApiPathItem
            {
                Operations = new Dictionary<HttpMethod, OpenApiOperation>
                {
                    [HttpMethod.Get] = new()
                    {
                        Tags = new HashSet<OpenApiTagReference> { new("Realtime", document) },
                        Summary = "The WebSocket",
                        Description = "Upgrade to a WebSocket carrying text frames {type, id, data} (docs/protocol.md). "
                            + "The token goes in the Authorization header or, from a browser, in access_token.",
                        Parameters =
                        [
                            new OpenApiParameter
                            {
                                Name = "access_token",
                                In = ParameterLocation.Query,
                                Description = "The access token, for clients that cannot set headers on a WebSocket.",
                                Schema = new OpenApiSchema { Type = JsonSchemaType.String },
                            },
                        ],
                        Responses = new OpenApiResponses
                        {
                            ["101"] = new OpenApiResponse { Description = "Switching protocols: the WebSocket is open." },
                            ["400"] = ProblemResponse(document, "Not a WebSocket request (code `websocket_required`)."),
                            ["401"] = ProblemResponse(document, "No token, or a bad, expired or ended one (code `unauthorized`)."),
                        },
                    },
                },
            };
            return Task.CompletedTask;
        });
    }

    /// <summary>
    /// A message's <c>file</c>, <c>replyTo</c> and <c>mentions</c> are stored JSON passed through as is, which the
    /// generator sees as "anything": say what they hold (docs/protocol.md, docs/conversations.md), so that clients
    /// generated from the document (the web client's types) get their shapes. <c>content</c> stays open: its shape
    /// depends on <c>type</c>.
    /// </summary>
    private static void DescribeMessageParts(OpenApiDocument document)
    {
        var schemas = document.Components!.Schemas!;
        IOpenApiSchema Nullable(IOpenApiSchema schema) => new OpenApiSchema { OneOf = [new OpenApiSchema { Type = JsonSchemaType.Null }, schema] };
        var file = Nullable(new OpenApiSchemaReference("FileView", document));
        var type = new OpenApiSchemaReference("MessageType", document);

        schemas[Quote] = new OpenApiSchema
        {
            Type = JsonSchemaType.Object,
            Description = "The quoted message, fixed at send time (docs/conversations.md, \"Replies and mentions\"): preview as in the conversation list's lastMessage; recalling the quoted message makes it [recalled] with recalled true.",
            Required = new HashSet<string> { "messageId", "seq", "senderId", "type", "preview", "recalled" },
            Properties = new Dictionary<string, IOpenApiSchema>
            {
                ["messageId"] = new OpenApiSchema { Type = JsonSchemaType.String },
                ["seq"] = new OpenApiSchema { Type = JsonSchemaType.Integer, Format = "int64" },
                ["senderId"] = new OpenApiSchema { Type = JsonSchemaType.String },
                ["type"] = type,
                ["preview"] = new OpenApiSchema { Type = JsonSchemaType.String },
                ["recalled"] = new OpenApiSchema { Type = JsonSchemaType.Boolean },
            },
        };

        if (schemas.TryGetValue("MessageView", out var m) && m is OpenApiSchema message && message.Properties is { } properties)
        {
            properties["content"] = new OpenApiSchema { Description = "By type: text and emoji a string; call the call record; system the event (docs/protocol.md)." };
            properties["file"] = file;
            properties["replyTo"] = new OpenApiSchemaReference(Quote, document);
            properties["mentions"] = new OpenApiSchema
            {
                Type = JsonSchemaType.Array,
                Items = new OpenApiSchema { Type = JsonSchemaType.String },
                Description = "User ids, or \"all\" (groups).",
            };
        }

        if (schemas.TryGetValue("LastMessagePreview", out var l) && l is OpenApiSchema last && last.Properties is { } fields)
        {
            fields["type"] = type;
            fields["content"] = new OpenApiSchema
            {
                Description = "A call message's call record or a system message's group event, as in the message's content; null for other types and once recalled.",
            };
            fields["file"] = file;
        }
    }

    private const string Quote = "ReplyQuote";

    private static Type? ElementType(Type type) =>
        type.IsArray ? type.GetElementType()
        : type.IsGenericType && type.GetGenericArguments() is [var element] && typeof(IEnumerable<>).MakeGenericType(element).IsAssignableFrom(type) ? element
        : null;

    private static OpenApiResponse ProblemResponse(OpenApiDocument? document, string description) => new()
    {
        Description = description,
        Content = new Dictionary<string, OpenApiMediaType>
        {
            ["application/problem+json"] = new() { Schema = new OpenApiSchemaReference(Problem, document) },
        },
    };

    private static OpenApiPathItem Plain(string tag, string description, bool unhealthy)
    {
        var responses = new OpenApiResponses
        {
            ["200"] = new OpenApiResponse
            {
                Description = "Healthy",
                Content = new Dictionary<string, OpenApiMediaType> { ["text/plain"] = new() { Schema = new OpenApiSchema { Type = JsonSchemaType.String } } },
            },
        };
        if (unhealthy) responses["503"] = new OpenApiResponse { Description = "Unhealthy" };
        return new OpenApiPathItem
        {
            Operations = new Dictionary<HttpMethod, OpenApiOperation>
            {
                [HttpMethod.Get] = new() { Tags = new HashSet<OpenApiTagReference> { new(tag) }, Description = description, Responses = responses },
            },
        };
    }
}
