package io.noah.api.config;

import io.noah.api.web.dto.AutoscalerRequests;
import io.noah.api.web.dto.AutoscalerViews;
import io.noah.api.web.dto.ClusterRequests;
import io.noah.api.web.dto.EventViews;
import io.noah.api.web.dto.LifecycleRequests;
import io.noah.api.web.dto.LifecycleViews;
import io.noah.api.web.dto.OtherRequests;
import io.noah.api.web.dto.ReleaseRequests;
import io.noah.api.web.dto.ReleaseViews;
import io.noah.api.web.dto.Views;
import io.swagger.v3.oas.annotations.OpenAPIDefinition;
import io.swagger.v3.oas.annotations.enums.SecuritySchemeType;
import io.swagger.v3.oas.annotations.info.Info;
import io.swagger.v3.oas.annotations.security.SecurityRequirement;
import io.swagger.v3.oas.annotations.security.SecurityScheme;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.Operation;
import io.swagger.v3.oas.models.PathItem;
import io.swagger.v3.oas.models.media.ArraySchema;
import io.swagger.v3.oas.models.media.Content;
import io.swagger.v3.oas.models.media.MediaType;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.oas.models.parameters.Parameter;
import io.swagger.v3.oas.models.responses.ApiResponse;
import io.swagger.v3.oas.models.responses.ApiResponses;
import org.jspecify.annotations.Nullable;
import org.springdoc.core.customizers.OpenApiCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The OpenAPI description, made exact where springdoc cannot know: every response DTO property is
 * required (Jackson writes nulls) and nullable only where its record component is {@code @Nullable};
 * request bodies refuse unknown properties and accept null for optional ones; 2xx bodies are
 * {@code application/json}; every operation lists the problem responses it can give
 * ({@code application/problem+json}, one {@code Problem} schema with {@code code}).
 */
@Configuration
@OpenAPIDefinition(
        info = @Info(title = "Noah API", version = "v1",
                description = "Multi-cluster Kubernetes control plane. Errors are RFC 9457 problems (application/problem+json) "
                        + "with a stable `code`."),
        security = @SecurityRequirement(name = "bearer"))
@SecurityScheme(name = "bearer", type = SecuritySchemeType.HTTP, scheme = "bearer")
public class OpenApiConfig {

    private static final List<Class<?>> RESPONSE_HOLDERS = List.of(Views.class, ReleaseViews.class, EventViews.class, AutoscalerViews.class,
            LifecycleViews.class, io.noah.api.web.dto.NodeOpViews.class, io.noah.api.web.dto.ConsoleViews.class,
            io.noah.api.web.dto.AdviceViews.class, io.noah.hpa.advice.AdviceReport.class, io.noah.hpa.advice.Formulas.class,
            io.noah.api.web.dto.MigrationViews.class);
    private static final List<Class<?>> REQUEST_HOLDERS = List.of(ClusterRequests.class, ReleaseRequests.class, OtherRequests.class,
            AutoscalerRequests.class, LifecycleRequests.class, io.noah.api.web.dto.AdviceRequests.class,
            io.noah.api.web.dto.MigrationRequests.class);
    private static final String PROBLEM = "application/problem+json";

    private static final Map<String, String> STATUS_TEXT = Map.ofEntries(
            Map.entry("400", "Bad input: invalid parameters or body (code names the reason, errors[] the fields)"),
            Map.entry("401", "No, a malformed or an unknown bearer token (code: unauthenticated)"),
            Map.entry("403", "The token's role may not do this (code: forbidden)"),
            Map.entry("404", "The cluster, object or endpoint does not exist"),
            Map.entry("406", "The Accept header names no type this endpoint answers (code: not-acceptable)"),
            Map.entry("409", "Conflicts with the current state (e.g. cluster-exists, cluster-declared-in-config, conflict, autoscaler-conflict)"),
            Map.entry("415", "The body is not application/json (code: unsupported-media-type)"),
            Map.entry("422", "Kubernetes rejected the change (code: kubernetes-rejected)"),
            Map.entry("429", "Too many of these open at once on this instance (code: too-many-requests)"),
            Map.entry("500", "Noah failed unexpectedly; the error is logged (code: internal-error)"),
            Map.entry("502", "A source Noah reads (the CMDB) did not answer well (code: cmdb-unavailable)"),
            Map.entry("503", "A cluster is unreachable, or Noah is at a protective limit; try again (cluster-unreachable, busy)"));

    @Bean
    OpenApiCustomizer noahOpenApiCustomizer() {
        return api -> {
            problemSchemas(api);
            if (api.getTags() != null) {
                api.getTags().sort(java.util.Comparator.comparing(io.swagger.v3.oas.models.tags.Tag::getName));
            }
            Map<String, Schema> schemas = api.getComponents().getSchemas();
            for (Class<?> holder : RESPONSE_HOLDERS) {
                for (Class<?> dto : holder.getDeclaredClasses()) {
                    if (dto.isRecord()) {
                        schemas.forEach((name, s) -> {
                            if (name.equals(schemaName(dto)) || dto == Views.Page.class && name.startsWith("Page")) {
                                responseSchema(s, dto);
                            }
                        });
                    }
                }
            }
            for (Class<?> holder : REQUEST_HOLDERS) {
                for (Class<?> dto : holder.getDeclaredClasses()) {
                    Schema<?> s = dto.isRecord() ? schemas.get(schemaName(dto)) : null;
                    if (s != null) {
                        requestSchema(s);
                    }
                }
            }
            api.getPaths().forEach((path, item) -> item.readOperationsMap().forEach((method, op) -> operation(path, method, op)));
        };
    }

    private static String schemaName(Class<?> dto) {
        var a = dto.getAnnotation(io.swagger.v3.oas.annotations.media.Schema.class);
        return a != null && !a.name().isEmpty() ? a.name() : dto.getSimpleName();
    }

    /** Every property present (Jackson writes nulls), nullable only where the record component says so. */
    @SuppressWarnings({"rawtypes", "unchecked"})
    private static void responseSchema(Schema s, Class<?> dto) {
        Map<String, Schema> props = s.getProperties();
        if (props == null) {
            return;
        }
        List<String> required = new ArrayList<>();
        for (RecordComponent rc : dto.getRecordComponents()) {
            Schema p = props.get(rc.getName());
            if (p == null) {
                continue;
            }
            required.add(rc.getName());
            if (rc.getAnnotatedType().isAnnotationPresent(Nullable.class) || rc.isAnnotationPresent(Nullable.class)) {
                props.put(rc.getName(), nullable(p));
            }
        }
        s.setRequired(required);
    }

    /** Unknown properties are refused (400 unknown-field); optional ones may be sent as null. */
    @SuppressWarnings({"rawtypes", "unchecked"})
    private static void requestSchema(Schema s) {
        s.setAdditionalProperties(Boolean.FALSE);
        Map<String, Schema> props = s.getProperties();
        if (props == null) {
            return;
        }
        List<String> required = s.getRequired() == null ? List.of() : s.getRequired();
        new ArrayList<>(props.keySet()).forEach(name -> {
            if (!required.contains(name)) {
                props.put(name, nullable(props.get(name)));
            }
        });
    }

    /** OpenAPI 3.1: "null" added to the types, or a $ref wrapped in anyOf with null. */
    @SuppressWarnings({"rawtypes", "unchecked"})
    static Schema nullable(Schema p) {
        if (p.get$ref() != null) {
            Schema wrapped = new Schema();
            wrapped.setAnyOf(List.of(p, new Schema().types(new LinkedHashSet<>(Set.of("null")))));
            return wrapped;
        }
        Set<String> types = p.getTypes() == null ? new LinkedHashSet<>() : new LinkedHashSet<>(p.getTypes());
        if (types.isEmpty() && p.getType() != null) {
            types.add(p.getType());
        }
        types.add("null");
        p.setTypes(types);
        if (p.getEnum() != null && !p.getEnum().contains(null)) {
            List<Object> values = new ArrayList<>(p.getEnum());
            values.add(null);
            p.setEnum(values);
        }
        return p;
    }

    @SuppressWarnings({"rawtypes", "unchecked"})
    private static void problemSchemas(OpenAPI api) {
        Schema field = new Schema().types(Set.of("object")).description("A field or parameter at fault")
                .addProperty("field", new Schema().types(Set.of("string")))
                .addProperty("message", new Schema().types(new LinkedHashSet<>(List.of("string", "null"))));
        field.setRequired(List.of("field", "message"));
        Schema problem = new Schema().types(Set.of("object"))
                .description("RFC 9457 problem. `code` is stable and machine-readable (also in `type`: urn:noah:problem:<code>).")
                .addProperty("type", new Schema().types(Set.of("string")).format("uri"))
                .addProperty("title", new Schema().types(new LinkedHashSet<>(List.of("string", "null"))))
                .addProperty("status", new Schema().types(Set.of("integer")).format("int32"))
                .addProperty("detail", new Schema().types(new LinkedHashSet<>(List.of("string", "null"))))
                .addProperty("instance", new Schema().types(new LinkedHashSet<>(List.of("string", "null"))).format("uri-reference"))
                .addProperty("code", new Schema().types(Set.of("string")))
                .addProperty("errors", new ArraySchema().items(new Schema().$ref("#/components/schemas/FieldError")));
        problem.setRequired(List.of("type", "status", "code"));
        api.getComponents().addSchemas("FieldError", field).addSchemas("Problem", problem);
    }

    /** JSON for 2xx, the problem responses this operation can give. */
    private static void operation(String path, PathItem.HttpMethod method, Operation op) {
        ApiResponses responses = op.getResponses();
        responses.forEach((status, r) -> {
            if (status.startsWith("2") && r.getContent() != null && r.getContent().containsKey("*/*")) {
                MediaType json = r.getContent().remove("*/*");
                r.getContent().addMediaType("application/json", json);
            }
            if (r.getContent() != null && r.getContent().containsKey("text/event-stream")) {
                r.getContent().addMediaType("text/event-stream", new MediaType().schema(new Schema<>().types(Set.of("string"))
                        .description(path.startsWith("/api/v1/node-operations")
                                ? "server-sent events: event \"progress\", data the operation (JSON, as GET answers it)"
                                : "server-sent events: event \"transition\", data a release history entry (JSON)")));
            }
        });
        List<Parameter> params = op.getParameters() == null ? List.of() : op.getParameters();
        boolean mutation = method != PathItem.HttpMethod.GET;
        Set<String> codes = new java.util.TreeSet<>(List.of("401", "406", "500", "503"));
        if (!params.isEmpty() || op.getRequestBody() != null) {
            codes.add("400");
        }
        if (mutation || path.startsWith("/api/v1/audit") || path.startsWith("/api/v1/tokens")) {
            codes.add("403");
        }
        // the lifecycle helpers read and write in the clusters on every call, GETs included (Noah's identity may be refused)
        boolean lifecycle = path.contains("/pods/") || path.startsWith("/api/v1/maintenance-pdbs") || path.startsWith("/api/v1/isolated-pods");
        if (params.stream().anyMatch(p -> "path".equals(p.getIn()) || "cluster".equals(p.getName()))
                || path.equals("/api/v1/isolated-pods/delete") || path.equals("/api/v1/traffic-weights") || path.equals("/api/v1/node-labels/last")
                || path.equals("/api/v1/node-operations") && mutation || path.equals("/api/v1/terminals") && mutation) {
            codes.add("404");
        }
        if (mutation && !path.startsWith("/api/v1/tokens")) {
            codes.add("409");
        }
        if (op.getRequestBody() != null) {
            codes.add("415");
        }
        if (lifecycle || mutation && (path.contains("/deployments/") || path.startsWith("/api/v1/releases") || path.startsWith("/api/v1/autoscalers")
                || path.startsWith("/api/v1/migrations"))) {
            codes.add("422");
        }
        if (path.equals("/api/v1/node-labels/pull")) {
            codes.add("502");
        }
        if (path.endsWith("/events") && (path.startsWith("/api/v1/releases") || path.startsWith("/api/v1/node-operations"))) {
            codes.add("429");
        }
        Map<String, ApiResponse> sorted = new TreeMap<>(responses);
        for (String code : codes) {
            sorted.putIfAbsent(code, new ApiResponse().description(STATUS_TEXT.get(code)).content(new Content()
                    .addMediaType(PROBLEM, new MediaType().schema(new Schema<>().$ref("#/components/schemas/Problem")))));
        }
        responses.clear();
        responses.putAll(sorted);
    }
}
